package io.clprop.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every rejection of bad input must look like from the command line: status 2, one line on stderr that
 * starts with "clprop" and names the file or option and the problem, no stack trace, nothing on stdout (the
 * check came before any work) and nothing left in the folder given for output.
 */
final class BadInput {
    private BadInput() {
    }

    static String assertRejected(CliTest.Result r, Path outputDir, String... fragments) {
        String err = r.err().strip();
        assertEquals(2, r.status(), () -> "status for bad input; stderr: " + err);
        assertTrue(err.startsWith("clprop"), err);
        assertEquals(1, err.lines().count(), () -> "one line: " + err);
        assertNoStackTrace(err);
        for (String f : fragments) {
            assertTrue(err.contains(f), () -> "message should contain \"" + f + "\": " + err);
        }
        assertEquals("", r.out(), "nothing printed before the input was refused");
        assertNothingIn(outputDir);
        return err;
    }

    static void assertNoStackTrace(String err) {
        assertFalse(err.contains("\tat ") || err.contains("Caused by:"), () -> "no stack trace without --debug: " + err);
    }

    static void assertNothingIn(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> left = files.toList();
            assertEquals(List.of(), left, "no output (nor temporary file) left behind");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
