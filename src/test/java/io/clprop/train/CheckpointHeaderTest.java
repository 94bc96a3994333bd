package io.clprop.train;

import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import io.clprop.util.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.StringReader;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The header's integer fields as JSON text can write them: whole numbers in any notation are taken, and
 * everything else — fractions, out-of-range values, exponents too large for any reader, numbers longer than
 * any clprop writes — is refused at once with the field's name, never truncated or expanded.
 */
class CheckpointHeaderTest {
    private static CheckpointHeader header(String valueText) {
        // Parsed as the container parses a header: strict JSON.
        JsonReader r = new JsonReader(new StringReader("{\"n\": " + valueText + "}"));
        r.setStrictness(Strictness.STRICT);
        return new CheckpointHeader(Path.of("run.ckpt"), JsonParser.parseReader(r).getAsJsonObject());
    }

    @ParameterizedTest
    @CsvSource({"7, 7", "7.0, 7", "7.000, 7", "7e0, 7", "70E-1, 7", "0.7e1, 7", "0, 0", "-0, 0", "2147483647, 2147483647"})
    void wholeNumbersInAnyNotation(String text, long expected) {
        assertEquals(expected, header(text).integer("n", 0, Integer.MAX_VALUE));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "2.5 | 2.5 is not a whole number",
            "7.0000001 | 7.0000001 is not a whole number",
            "1e-999999999 | 1e-999999999 is not a whole number",
            "-1 | -1 is outside 0..2147483647",
            "2147483648 | 2147483648 is outside 0..2147483647",
            "1e30 | 1e30 is outside 0..2147483647",
            "1e999999999 | 1e999999999 is outside 0..2147483647",
            "-1e999999999 | -1e999999999 is outside 0..2147483647",
            "1e99999999999 | 1e99999999999 is not a whole number in 0..2147483647",
            "\"7\" | \"7\" is not a number",
            "true | true is not a number",
            "[7] | an array is not a number",
            "null | missing"})
    @Timeout(5) // an exponent expanded into its digits would take far longer
    void everythingElseIsRefusedNamingTheField(String text, String problem) {
        UserError e = assertThrows(UserError.class, () -> header(text).integer("n", 0, Integer.MAX_VALUE));
        assertEquals("run.ckpt: checkpoint field \"n\": " + problem, e.getMessage());
    }

    @Test
    void aNumberLongerThanAnyClpropWritesIsNotParsed() {
        // Gson's strict reader itself refuses much longer numbers (as malformed JSON, in the container).
        String digits = "1" + "0".repeat(59);
        UserError e = assertThrows(UserError.class, () -> header(digits).integer("n", 0, Long.MAX_VALUE));
        assertEquals("run.ckpt: checkpoint field \"n\": a 60-character number, not a whole number in 0.."
                + Long.MAX_VALUE, e.getMessage());
    }

    @Test
    void aStringValueIsQuotedOnOneLine() {
        UserError e = assertThrows(UserError.class, () -> header("\"a\\nb" + "x".repeat(100) + "\"")
                .numberOrNull("n", 0));
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
        assertTrue(e.getMessage().startsWith("run.ckpt: checkpoint field \"n\": \"a\\nbxxx"), e.getMessage());
        assertTrue(e.getMessage().endsWith("… is not a number"), e.getMessage());
    }

    @Test
    void aMissingFieldIsNamed() {
        UserError e = assertThrows(UserError.class, () -> header("1").integer("epochs_done", 0, 10));
        assertEquals("run.ckpt: checkpoint field \"epochs_done\": missing", e.getMessage());
    }
}
