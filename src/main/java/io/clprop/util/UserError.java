package io.clprop.util;

/**
 * A problem with what the user gave us (a file, an option, the machine's setup), as opposed to a bug.
 * The CLI prints its message as one line and exits with status 2; no stack trace unless --debug.
 * Messages name the file or option and the problem.
 */
public class UserError extends RuntimeException {
    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
