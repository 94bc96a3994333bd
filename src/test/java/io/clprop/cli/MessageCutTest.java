package io.clprop.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line's backstop: a message is printed on one line and cut after 500 characters. */
class MessageCutTest {
    @Test
    void shortMessagesAreUnchanged() {
        assertEquals("train.csv:3:2: \"x\" is not a number", Main.shown("train.csv:3:2: \"x\" is not a number"));
        assertEquals("", Main.shown(null));
        assertEquals("a b", Main.shown("a\n  b"), "joined into one line, as before");
        String limit = "m".repeat(Main.MAX_MESSAGE);
        assertEquals(limit, Main.shown(limit));
    }

    @Test
    void aHugeMessageKeepsItsStartAndSaysHowLongItWas() {
        String huge = "model.clprop: class name \"" + "n".repeat(5_000_000) + "\" appears twice";
        String shown = Main.shown(huge);
        assertTrue(shown.startsWith("model.clprop: class name \"nnnn"), shown.substring(0, 40));
        assertEquals(Main.MAX_MESSAGE + "… (5000042 characters in all)".length(), shown.length());
        assertTrue(shown.endsWith("… (" + huge.length() + " characters in all)"), shown.substring(shown.length() - 40));
        String lines = "x\n".repeat(1_000_000);
        assertEquals(1, Main.shown(lines).lines().count());
    }

    @Test
    void aCharacterBeyondTheBmpIsNotCutInHalf() {
        String s = "x".repeat(Main.MAX_MESSAGE - 1) + "\uD83D\uDE00" + "y".repeat(100);
        String shown = Main.shown(s);
        assertTrue(shown.startsWith("x".repeat(Main.MAX_MESSAGE - 1) + "…"), shown);
    }
}
