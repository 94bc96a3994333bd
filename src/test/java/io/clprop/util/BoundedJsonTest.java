package io.clprop.util;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.clprop.util.BoundedJson.Limits;
import io.clprop.util.BoundedJson.Malformed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bounded reader: valid text gives the tree Gson's own parser gives; text beyond a limit or not JSON
 * gives a one-line {@link Malformed} saying which limit and where, and nothing else (no StackOverflowError,
 * no OutOfMemoryError, no expansion of a huge exponent).
 */
class BoundedJsonTest {
    /** A header of the kind clprop writes, with every kind of value and the number forms Gson writes. */
    static final String HEADER = """
            {
              "network": {"inputs": 784, "layers": [{"units": 256, "activation": "relu"}], "loss": "softmax-ce"},
              "features": ["sepal length", "petal,width", "\\u00fcn\\u00efcode \\"quoted\\" \\\\ \\n"],
              "standardized": true,
              "missing": null,
              "trained": {"config": {"lr": 0.1, "momentum": 0.9, "l2": 1.0E-5, "hidden": [256, 128], "seed": -7,
                          "big": 9007199254740993, "tiny": 4.9E-324, "max": 1.7976931348623157E308, "zero": -0.0},
                          "empty": {}, "none": [], "epochs": 7},
              "sections": [{"name": "parameters", "type": "f32", "count": 203530}]
            }
            """;

    static Malformed refused(String text) {
        return refused(text, Limits.HEADER);
    }

    static Malformed refused(String text, Limits limits) {
        Malformed e = assertThrows(Malformed.class, () -> BoundedJson.parseObject(text, limits));
        assertOneShortLine(e.getMessage());
        return e;
    }

    static void assertOneShortLine(String m) {
        assertEquals(1, m.lines().count(), m);
        assertTrue(m.length() < 200, () -> m.length() + " characters: " + m.substring(0, Math.min(300, m.length())));
        assertFalse(m.contains(" path ") || m.contains("Troubleshooting") || m.contains("setStrictness"), m);
    }

    @Test
    void validTextGivesGsonsTreeAndWritesBackAsItWasWritten() throws Malformed {
        JsonObject ours = BoundedJson.parseObject(HEADER);
        JsonObject gsons = JsonParser.parseString(HEADER).getAsJsonObject();
        assertEquals(gsons, ours);
        assertEquals(gsons.toString(), ours.toString(), "numbers keep their text: 1.0E-5 stays 1.0E-5");
        assertEquals("1.0E-5", ours.getAsJsonObject("trained").getAsJsonObject("config").get("l2").toString());
        assertEquals("ünïcode \"quoted\" \\ \n", ours.getAsJsonArray("features").get(2).getAsString());
    }

    @Test
    void nestingOfAHundredThousandLevelsIsRefusedAtTheSixtyFifth() {
        String deep = "{\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        // The object is level 1 (column 1), "x" is columns 2-5, level k opens at column k + 4.
        assertEquals("nested deeper than 64 levels at line 1 column 69", refused(deep).getMessage());
        String objects = "{\"a\":".repeat(100_000) + "1" + "}".repeat(100_000);
        assertTrue(refused(objects).getMessage().startsWith("nested deeper than 64 levels"));
    }

    @Test
    void sixtyFourLevelsAreAllowed() throws Malformed {
        String ok = "{\"x\":" + "[".repeat(63) + "]".repeat(63) + "}";
        BoundedJson.parseObject(ok);
        refused("{\"x\":" + "[".repeat(64) + "]".repeat(64) + "}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1e999999999", "-1e-999999999", "1e400", "1e-400", "1.8e308", "0e-999999999",
            "1e99999999999", "-1E+2147483648"})
    void numbersADoubleCannotHoldAreRefusedWithoutExpandingThem(String n) {
        Malformed e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> refused("{\"n\": " + n + "}"));
        assertEquals("the number " + n + " is beyond the range of a double (about 1e-324 to 1.8e308) at line 1 column 7",
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-0", "0.0", "0e-300", "4.9E-324", "-2.2250738585072014E-308", "1.7976931348623157E308",
            "1e308", "9223372036854775808", "123456789012345678901234567890.123456789"})
    void numbersADoubleCanHoldAreKept(String n) throws Malformed {
        assertEquals(n, BoundedJson.parseObject("{\"n\": " + n + "}").get("n").getAsString());
    }

    @Test
    void longNumbersAreRefused() {
        String forty = "1".repeat(40), fortyOne = "1".repeat(41);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> BoundedJson.parseObject("{\"n\": " + forty + "}"));
        assertEquals("a number 41 characters long (1111111111111111111111111111111111111111…), more than the 40 allowed,"
                + " at line 1 column 7", refused("{\"n\": " + fortyOne + "}").getMessage());
        // Ten million digits: too long for the reader's buffer, which gives up on it as "malformed"; the
        // message says what stands there.
        String tenMillion = "{\"n\": 1" + "0".repeat(9_999_999) + "}";
        Malformed e = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> refused(tenMillion));
        assertEquals("a number 10000000 characters long, more than the 40 allowed, at line 1 column 7", e.getMessage());
        assertEquals("a number 2000 characters long, more than the 40 allowed, at line 2 column 8",
                refused("{\"a\": 1,\n  \"b\": -" + "1".repeat(1999) + "}").getMessage());
    }

    @Test
    void aHundredMegabyteStringIsRefused() {
        String big = "{\"s\": \"" + "x".repeat(100 << 20) + "\"}";
        assertEquals(big.length() + " characters of JSON, more than the 67108864 allowed", refused(big).getMessage());
        // Below the text limit, the string's own limit.
        Limits roomy = new Limits(64, 200 << 20, 1 << 20, 40);
        String m = refused(big, roomy).getMessage();
        assertTrue(m.startsWith("a string 104857600 characters long, more than the 1048576 allowed, ending at line 1"), m);
        String name = "{\"" + "k".repeat((1 << 20) + 1) + "\": 1}";
        assertTrue(refused(name, roomy).getMessage().startsWith("a name 1048577 characters long"), name.length() + "");
    }

    @Test
    void aNameTwiceInOneObjectIsRefused() throws Malformed {
        assertEquals("the name \"a\" appears twice in one object, at line 1 column 12", refused("{\"a\": 1, \"a\": 2}").getMessage());
        assertTrue(refused("{\"o\": {\"b\": [], \"b\": []}}").getMessage().startsWith("the name \"b\" appears twice"));
        String longKey = "k".repeat(1000);
        String m = refused("{\"" + longKey + "\": 1, \"" + longKey + "\": 2}").getMessage();
        assertTrue(m.startsWith("the name \"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk…\" appears twice"), m);
        // The same name in different objects is fine.
        BoundedJson.parseObject("{\"a\": {\"a\": 1}, \"b\": [{\"a\": 1}, {\"a\": 2}]}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{'a': 1}", "{a: 1}", "{\"a\": NaN}", "{\"a\": Infinity}", "{\"a\": 1,}", "{\"a\": [1,]}",
            "{\"a\": 1} x", "{\"a\": 1} {}", "{/* c */ \"a\": 1}", "{\"a\": 01}", "{\"a\": 1", "{\"a\": \"x",
            "{\"a\" 1}", "{\"a\": tru}", "{\"a\": \"\\x\"}"})
    void notStrictJsonIsRefused(String text) {
        refused(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1, 2]", "\"s\"", "3", "null", "", "   \n"})
    void onlyAnObjectIsAccepted(String text) {
        assertTrue(refused(text).getMessage().startsWith("expected a JSON object"), text);
    }

    /**
     * Any bytes: damage a valid header at random places, many times over, and decode it as the container
     * does. Each result is a tree or a Malformed; an unchecked exception or an error fails the test.
     */
    @Test
    void damagedTextGivesATreeOrMalformedAndNothingElse() {
        byte[] good = HEADER.getBytes(StandardCharsets.UTF_8);
        Random random = new Random(11);
        int malformed = 0;
        for (int trial = 0; trial < 20_000; trial++) {
            byte[] b = good.clone();
            for (int k = random.nextInt(4); k >= 0; k--) {
                if (b.length == 0) {
                    break;
                }
                int at = random.nextInt(b.length);
                switch (random.nextInt(3)) {
                    case 0 -> b[at] = (byte) random.nextInt(256);
                    case 1 -> b[at] = (byte) "{}[]\",:-.e0123456789 \\tn".charAt(random.nextInt(24));
                    default -> b = java.util.Arrays.copyOf(b, at); // truncated
                }
            }
            try {
                BoundedJson.parseObject(new String(b, StandardCharsets.UTF_8));
            } catch (Malformed e) {
                assertOneShortLine(e.getMessage());
                malformed++;
            }
        }
        assertTrue(malformed > 10_000, "most damage is refused: " + malformed);
    }
}
