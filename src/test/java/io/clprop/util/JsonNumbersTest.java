package io.clprop.util;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonPrimitive;
import com.google.gson.internal.LazilyParsedNumber;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Numbers from a file's JSON: a value is used only when it is what the field needs, and a refusal is the
 * caller's exception with a short message. Numbers are built as Gson's parser builds them (their text kept),
 * so these also cover trees that did not come through {@link BoundedJson}.
 */
class JsonNumbersTest {
    static JsonElement n(String text) {
        return new JsonPrimitive(new LazilyParsedNumber(text));
    }

    static String refusedWhole(JsonElement v) {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> JsonNumbers.wholeInt(v, 1, Integer.MAX_VALUE, "network.inputs", IllegalStateException::new));
        assertTrue(e.getMessage().length() < 150, e.getMessage());
        return e.getMessage();
    }

    @Test
    void wholeNumbersInRange() {
        assertEquals(3, JsonNumbers.wholeInt(n("3"), 1, 10, "x", IllegalStateException::new));
        assertEquals(3, JsonNumbers.wholeInt(n("3.0"), 1, 10, "x", IllegalStateException::new));
        assertEquals(300, JsonNumbers.wholeInt(n("3e2"), 1, 1000, "x", IllegalStateException::new));
        assertEquals(0, JsonNumbers.wholeInt(n("-0"), 0, 1, "x", IllegalStateException::new));
        assertEquals(Long.MAX_VALUE, JsonNumbers.wholeNumber(n("9223372036854775807"), 0, Long.MAX_VALUE, "x",
                IllegalStateException::new));
        assertEquals(7, JsonNumbers.wholeInt(new JsonPrimitive(7), 1, 10, "x", IllegalStateException::new), "a Number built in memory");
    }

    @Test
    void anythingElseIsRefusedByName() {
        assertEquals("network.inputs must be a positive whole number (at most 2147483647), got 0", refusedWhole(n("0")));
        assertEquals("network.inputs must be a positive whole number (at most 2147483647), got 3.5", refusedWhole(n("3.5")));
        // getAsInt() would give 1: the low 32 bits.
        assertEquals("network.inputs must be a positive whole number (at most 2147483647), got 4294967297",
                refusedWhole(n("4294967297")));
        assertEquals("network.inputs must be a positive whole number (at most 2147483647), got the string \"3\"", refusedWhole(new JsonPrimitive("3")));
        assertEquals("network.inputs must be a positive whole number (at most 2147483647), got an array", refusedWhole(new JsonArray()));
        assertEquals("network.inputs must be a positive whole number (at most 2147483647), got null", refusedWhole(JsonNull.INSTANCE));
        assertEquals("network.inputs must be a positive whole number (at most 2147483647), got true", refusedWhole(new JsonPrimitive(true)));
        assertEquals("network.inputs is missing: it must be a positive whole number (at most 2147483647)", refusedWhole(null));
        assertEquals("x must be a whole number from 0 to 5, got 6", assertThrows(IllegalArgumentException.class,
                () -> JsonNumbers.wholeInt(n("6"), 0, 5, "x", IllegalArgumentException::new)).getMessage());
    }

    @Test
    void hugeNumbersAreRefusedWithoutBeingExpanded() {
        // getAsInt() and getAsBigDecimal().toPlainString() on these throw, or build a billion digits.
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertEquals("network.inputs must be a positive whole number (at most 2147483647), got 1e999999999 (out of range)",
                    refusedWhole(n("1e999999999")));
            assertTrue(refusedWhole(n("-1e-999999999")).endsWith("got -1e-999999999 (out of range)"));
            assertTrue(refusedWhole(n("1e99999999999")).endsWith("(out of range)"));
            String m = refusedWhole(n("1" + "0".repeat(10_000_000)));
            assertEquals("network.inputs must be a positive whole number (at most 2147483647), got " + "1" + "0".repeat(39) + "… (out of range)", m);
            assertThrows(IllegalStateException.class,
                    () -> JsonNumbers.finiteDouble(n("1e999999999"), "lr", IllegalStateException::new));
        });
    }

    @Test
    void finiteDoubles() {
        assertEquals(0.1, JsonNumbers.finiteDouble(n("0.1"), "lr", IllegalStateException::new));
        assertEquals(1.7976931348623157E308, JsonNumbers.finiteDouble(n("1.7976931348623157E308"), "lr", IllegalStateException::new));
        assertEquals("lr must be a finite number, got 1e309", assertThrows(IllegalStateException.class,
                () -> JsonNumbers.finiteDouble(n("1e309"), "lr", IllegalStateException::new)).getMessage());
        assertEquals("lr must be a finite number, got the string \"0.1\"", assertThrows(IllegalStateException.class,
                () -> JsonNumbers.finiteDouble(new JsonPrimitive("0.1"), "lr", IllegalStateException::new)).getMessage());
        assertTrue(Double.isNaN(JsonNumbers.finiteDoubleOrNaN(null, "lr", IllegalStateException::new)));
        assertTrue(Double.isNaN(JsonNumbers.finiteDoubleOrNaN(JsonNull.INSTANCE, "lr", IllegalStateException::new)));
        assertEquals(2.5, JsonNumbers.finiteDoubleOrNaN(n("2.5"), "lr", IllegalStateException::new));
    }

    @Test
    void valuesAreShownShortAndNeverPrintedWhole() {
        JsonArray deep = new JsonArray();
        JsonArray at = deep;
        for (int i = 0; i < 100_000; i++) { // toString() of this would overflow the stack
            JsonArray next = new JsonArray();
            at.add(next);
            at = next;
        }
        assertEquals("an array", JsonNumbers.shown(deep));
        assertEquals("the string \"" + "s".repeat(40) + "…\"", JsonNumbers.shown(new JsonPrimitive("s".repeat(1000))));
        assertEquals("the string \"a\\nb\"", JsonNumbers.shown(new JsonPrimitive("a\nb")));
    }
}
