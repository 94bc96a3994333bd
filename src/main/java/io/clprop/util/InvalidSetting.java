package io.clprop.util;

/**
 * A value the library refuses for one of its settings (a config field out of range, a spec it cannot
 * parse): an {@link IllegalArgumentException} for a Java caller, and bad input (exit status 2) on the
 * command line. The message names the setting with {@link Wording#setting}; {@link #getMessage()} gives it
 * with the library's names, {@link #text()} as written, for the command line to show its option names.
 */
public class InvalidSetting extends IllegalArgumentException {
    private final String text;

    public InvalidSetting(String text) {
        super(Wording.plain(text));
        this.text = text;
    }

    /** The message with its setting marks, for {@link Wording#render}. */
    public String text() {
        return text;
    }
}
