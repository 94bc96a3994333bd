package io.clprop.fuzz;

/**
 * A property's failure, with its kind: what went wrong and where, without the case's numbers and text, so that
 * {@link Survey} counts two cases that show the same bug once ("ModelFile.read threw NumberFormatException at
 * ModelFile.positiveInt"). The message says it all for a reader of the test output.
 */
final class Finding extends AssertionError {
    final String kind;

    Finding(String kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    Finding(String kind, String message) {
        this(kind, message, null);
    }
}
