package io.clprop.util;

import java.util.List;

/**
 * A problem with what the user gave us (a file, an option, the machine's setup), as opposed to a bug.
 * The CLI prints its message as one line and exits with status 2; no stack trace unless --debug.
 * Messages name the file or option and the problem.
 *
 * <p>A few errors carry details that do not fit on one line — a kernel's build log — as a short list of
 * lines shown after the message (the message itself stays one line); {@link #getMessage()} includes them.
 */
public class UserError extends RuntimeException {
    private final String headline;
    private final List<String> details;

    public UserError(String message) {
        this(message, (Throwable) null);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
        this.headline = message;
        this.details = List.of();
    }

    /** @param details lines shown, indented, after the one-line {@code message} (bounded by the caller) */
    public UserError(String message, List<String> details) {
        super(details.isEmpty() ? message : message + "\n    " + String.join("\n    ", details));
        this.headline = message;
        this.details = List.copyOf(details);
    }

    /** The one-line message, without the details. */
    public String headline() {
        return headline;
    }

    public List<String> details() {
        return details;
    }
}
