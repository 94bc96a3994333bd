package io.clprop.data;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Lines and their breaks come back exactly, also where a line or a CRLF straddles the reader's buffer. */
class CsvLinesTest {
    /** Every line and the break after it, as "text|break" pairs. */
    static List<String> read(Reader in) throws IOException {
        CsvLines lines = new CsvLines(in);
        List<String> out = new ArrayList<>();
        String line;
        while ((line = lines.next()) != null) {
            assertEquals(out.size() + 1, lines.number());
            out.add(line + "|" + lines.lastBreak());
        }
        assertNull(lines.next(), "stays at the end");
        return out;
    }

    @Test
    void breaksAreLfCrlfOrCrAndALastLineMayHaveNone() throws IOException {
        assertEquals(List.of("a|\n", "|\r\n", "b|\r", "c|"), read(new StringReader("a\n\r\nb\rc")));
        assertEquals(List.of("a|\n"), read(new StringReader("a\n")), "no empty line after the last break");
        assertEquals(List.of(), read(new StringReader("")));
    }

    @Test
    void linesAndCrlfAcrossTheBufferBoundary() throws IOException {
        int buffer = 1 << 16;
        for (int length : new int[]{buffer - 2, buffer - 1, buffer, buffer + 1, 3 * buffer + 7}) {
            String first = "x".repeat(length);
            String text = first + "\r\n" + "y\r\n" + "z";
            assertEquals(List.of(first + "|\r\n", "y|\r\n", "z|"), read(new StringReader(text)), "length " + length);
            // A reader that hands out a few characters at a time splits CRLF between two reads.
            assertEquals(List.of(first + "|\r\n", "y|\r\n", "z|"), read(trickle(text, 3)), "trickled, length " + length);
        }
    }

    /** A reader giving at most {@code n} characters per read. */
    static Reader trickle(String text, int n) {
        return new StringReader(text) {
            @Override
            public int read(char[] cbuf, int off, int len) throws IOException {
                return super.read(cbuf, off, Math.min(n, len));
            }
        };
    }
}
