package io.clprop.data;

import io.clprop.data.CsvReader.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringReader;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.clprop.data.UserErrors.assertUserError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What bounds a CSV file's cost: a line, a row's cells, and how much of a cell a message quotes. Beyond a
 * bound the file is refused with a one-line error naming file and line, before the excess is held in memory.
 */
class CsvLimitsTest {
    @TempDir
    Path dir;

    @Test
    void aLineLongerThanTheLimitIsRefusedOnceTheLimitIsPassed() throws IOException {
        CsvLines lines = new CsvLines(new StringReader("abc\n" + "x".repeat(10) + "\nlast"), 9);
        assertEquals("abc", lines.next());
        CsvLines.TooLong e = assertThrows(CsvLines.TooLong.class, lines::next);
        assertEquals(2, e.line);
        // At the limit exactly, also across the reader's 64 Ki buffer, and for a last line without a break.
        int buffer = 1 << 16;
        CsvLines exact = new CsvLines(new StringReader("y".repeat(buffer + 5) + "\r\n" + "z".repeat(buffer + 5)), buffer + 5);
        assertEquals(buffer + 5, exact.next().length());
        assertEquals(buffer + 5, exact.next().length());
        CsvLines over = new CsvLines(new StringReader("z".repeat(3 * buffer)), 2 * buffer);
        assertEquals(1, assertThrows(CsvLines.TooLong.class, over::next).line);
    }

    @Test
    void aFileWithoutLineBreaksIsRefused() throws IOException {
        Path p = dir.resolve("one-line.csv");
        try (Writer w = Files.newBufferedWriter(p)) {
            w.write("a,label\n");
            String chunk = "1,".repeat(1 << 15);
            for (long written = 0; written <= CsvReader.MAX_RECORD_CHARS; written += chunk.length()) {
                w.write(chunk);
            }
        }
        assertUserError(() -> CsvReader.readLabelled(p, Options.defaults()),
                p + ":2: a line longer than " + CsvReader.MAX_RECORD_CHARS + " characters");
    }

    @Test
    void aRowOfMoreThanAMillionCellsIsRefused() throws IOException {
        Path wide = Files.writeString(dir.resolve("wide.csv"), "1" + ",2".repeat(CsvReader.MAX_COLUMNS) + "\n");
        assertUserError(() -> CsvReader.readLabelled(wide, Options.defaults()),
                wide + ":1: more than " + CsvReader.MAX_COLUMNS + " cells in one row");
        Path quoted = Files.writeString(dir.resolve("quoted.csv"), "\"1\"" + ",2".repeat(CsvReader.MAX_COLUMNS) + "\n");
        assertUserError(() -> CsvReader.readLabelled(quoted, Options.defaults()), "more than " + CsvReader.MAX_COLUMNS + " cells");
        // A later row of two million commas: its width is refused without making two million cells.
        Path later = Files.writeString(dir.resolve("later.csv"), "a,b,label\n1,2,x\n" + ",".repeat(2_000_000) + "\n");
        assertUserError(() -> CsvReader.readLabelled(later, Options.defaults()), later + ":3:4: row has 2000001 cells, expected 3");
    }

    @Test
    void messagesQuoteCellsAndNamesCutShort() throws IOException {
        String digits = "7".repeat(5_000_000), name = "n".repeat(1_000_000);
        Path big = Files.writeString(dir.resolve("big.csv"), "a,label\n" + digits + ",x\n");
        String m = assertUserError(() -> CsvReader.readLabelled(big, Options.defaults()), "is outside the float32 range");
        assertTrue(m.length() < 200, m.length() + " characters");
        assertTrue(m.contains(": " + "7".repeat(40) + "… is outside"), m);

        Path named = Files.writeString(dir.resolve("named.csv"), "a," + name + ",label\n1,x4,y\n");
        m = assertUserError(() -> CsvReader.readLabelled(named, Options.defaults()),
                named + ":2:2: \"x4\" is not a number (column \"" + "n".repeat(40) + "…\")");
        assertTrue(m.length() < 200, m.length() + " characters");
        Path text = Files.writeString(dir.resolve("text.csv"), "a," + name + ",label\n1,\"line\nbreak" + name + "\",y\n");
        m = assertUserError(() -> CsvReader.readLabelled(text, Options.defaults()), ":2:2: \"line\\nbreak", "is not a number");
        assertTrue(m.length() < 250, m.length() + " characters: " + m.substring(0, Math.min(300, m.length())));

        // A header listed in a message: a few names, each cut short.
        Path many = Files.writeString(dir.resolve("many.csv"), (name + "a," + name + "b,c,d,e,f,g,h,i,j,k,l,m,n\n")
                + "1,2,3,4,5,6,7,8,9,10,11,12,13,14\n");
        m = assertUserError(() -> CsvReader.readLabelled(many, new Options(CsvReader.HeaderMode.AUTO, "zz")),
                "labelColumn zz: no such column", "… (14 in all)");
        assertTrue(m.length() < 400, m.length() + " characters: " + m);
    }
}
