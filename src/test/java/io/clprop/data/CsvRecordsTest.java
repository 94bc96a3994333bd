package io.clprop.data;

import io.clprop.util.UserError;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvRecordsTest {
    private static CsvRecords records(String text) {
        return new CsvRecords(new CsvLines(new StringReader(text)), new CsvErrors(Path.of("d.csv")));
    }

    @Test
    void blankLinesAreSkippedAndARecordIsNumberedByItsFirstLine() throws IOException {
        CsvRecords r = records("\uFEFFa,b\n\n   \r\n1,\"x\ny\"\n2,3");
        assertEquals("a,b", r.next(), "the byte-order mark dropped");
        assertEquals(1, r.lineNo());
        String line = r.next();
        assertEquals(4, r.lineNo());
        assertArrayEquals(new String[]{"1", "x\ny"}, r.cells(line), "a quoted cell goes on over the next line");
        assertEquals("2,3", r.next());
        assertEquals(6, r.lineNo());
        assertNull(r.next());
    }

    @Test
    void cellsAreTrimmedAndQuotesHonoured() throws IOException {
        CsvRecords r = records("");
        assertArrayEquals(new String[]{"1", "", "b c"}, r.cells(" 1 ,, b c "));
        assertArrayEquals(new String[]{" a,\"b\" ", "", "c"}, r.cells("\" a,\"\"b\"\" \" ,,c"));
        assertArrayEquals(new String[]{"1", ""}, r.cells("\"1\","), "a trailing comma ends with an empty cell");
    }

    @Test
    void badQuotesAreRefusedAtTheirCell() throws IOException {
        CsvRecords r = records("x\n");
        r.next();
        UserError after = assertThrows(UserError.class, () -> r.cells("1,\"a\"b"));
        assertEquals("d.csv:1:2: text after a closing quote", after.getMessage());
        UserError inside = assertThrows(UserError.class, () -> r.cells("1,a\"b"));
        assertEquals("d.csv:1:2: a quote inside an unquoted cell", inside.getMessage());
        UserError open = assertThrows(UserError.class, () -> r.cells("\"a"));
        assertTrue(open.getMessage().startsWith("d.csv:1:1: unterminated quoted cell: the quote opened on line 1"),
                open.getMessage());
    }

    @Test
    void commasCountCells() {
        assertEquals(0, CsvRecords.commas("abc"));
        assertEquals(3, CsvRecords.commas(",a,,"));
    }
}
