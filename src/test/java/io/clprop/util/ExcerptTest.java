package io.clprop.util;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Quoted content: cut to 40 characters with an ellipsis, on one line, hidden characters made visible. */
class ExcerptTest {
    @Test
    void shortTextIsShownAsItIs() {
        assertEquals("sepal length", Excerpt.of("sepal length"));
        assertEquals("petal,\"width\" C:\\x ünï 日本", Excerpt.of("petal,\"width\" C:\\x ünï 日本"));
        assertEquals("", Excerpt.of(""));
        assertEquals("\"a b\"", Excerpt.quoted("a b"));
    }

    @Test
    void longTextIsCutAfterFortyCharacters() {
        String forty = "x".repeat(40);
        assertEquals(forty, Excerpt.of(forty));
        assertEquals(forty + "…", Excerpt.of(forty + "y"));
        assertEquals(forty + "…", Excerpt.of("x".repeat(5_000_000)));
        assertEquals("abc…", Excerpt.of("abcdef", 3));
    }

    @Test
    void lineBreaksAndHiddenCharactersAreEscaped() {
        assertEquals("a\\nb\\r\\nc\\td", Excerpt.of("a\nb\r\nc\td"));
        assertEquals("\\u0000\\u001b[31m\\u007f", Excerpt.of("\0\u001b[31m\u007f"));
        // A right-to-left override, a zero-width space, a byte-order mark, a line separator.
        assertEquals("\\u202eabc\\u200b\\ufeff\\u2028", Excerpt.of("\u202eabc\u200b\ufeff\u2028"));
        assertEquals("x\\ud800y", Excerpt.of("x\ud800y"), "an unpaired surrogate");
    }

    @Test
    void escapesCountTowardsTheLimitAndAreNeverCutInHalf() {
        String m = Excerpt.of("\n".repeat(100));
        assertEquals("\\n".repeat(20) + "…", m);
        assertEquals("x".repeat(38) + "…", Excerpt.of("x".repeat(38) + "\u0001"), "a 6-character escape does not fit");
    }

    @Test
    void aCharacterBeyondTheBmpIsKeptWhole() {
        String emoji = "\uD83D\uDE00"; // one code point, two chars
        assertEquals("x".repeat(38) + emoji, Excerpt.of("x".repeat(38) + emoji));
        assertEquals("x".repeat(39) + "…", Excerpt.of("x".repeat(39) + emoji), "not split between its two halves");
    }
}
