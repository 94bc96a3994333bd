package io.clprop.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.clprop.util.UserError;
import org.junit.jupiter.api.function.Executable;

/** Asserts that code fails with a one-line UserError mentioning the given fragments. */
final class UserErrors {
    private UserErrors() {
    }

    static String assertUserError(Executable code, String... fragments) {
        UserError e = assertThrows(UserError.class, code);
        String message = e.getMessage();
        assertFalse(message.contains("\n"), () -> "message should be one line: " + message);
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment),
                    () -> "message should contain \"" + fragment + "\": " + message);
        }
        return message;
    }
}
