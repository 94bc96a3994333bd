package io.clprop.util;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * A problem with what the user gave us (a file, an option, the machine's setup), as opposed to a bug.
 * The command line prints its message as one line and exits with status 2, without a stack trace.
 * Messages name the file or setting and the problem; a setting is named with {@link Wording#setting}, so
 * that {@link #getMessage()} and {@link #headline()} give the library's name for it and the command line its
 * option name ({@link #text()}).
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
        super(Wording.plain(message), cause);
        this.headline = message;
        this.details = List.of();
    }

    /** @param details lines shown, indented, after the one-line {@code message} (bounded by the caller) */
    public UserError(String message, List<String> details) {
        super(Wording.plain(details.isEmpty() ? message : message + "\n    " + String.join("\n    ", details)));
        this.headline = message;
        this.details = List.copyOf(details);
    }

    /**
     * The one-line error for a file that could not be read: not found, permission denied, or the I/O error's
     * own message.
     */
    public static UserError cannotRead(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new UserError(file + ": file not found", e);
        }
        if (e instanceof AccessDeniedException) {
            return new UserError(file + ": permission denied", e);
        }
        return new UserError(file + ": cannot read (" + e.getMessage() + ")", e);
    }

    /**
     * Bad input reported by a library check as an IllegalArgumentException: its message, with its setting
     * marks when it is an {@link InvalidSetting}.
     */
    public static UserError of(IllegalArgumentException e) {
        return new UserError(e instanceof InvalidSetting s ? s.text() : e.getMessage(), e);
    }

    /** The one-line message, without the details. */
    public String headline() {
        return Wording.plain(headline);
    }

    /** The one-line message as written, with its setting marks (see {@link Wording#render}). */
    public String text() {
        return headline;
    }

    public List<String> details() {
        return details;
    }
}
