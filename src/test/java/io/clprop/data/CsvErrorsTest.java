package io.clprop.data;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvErrorsTest {
    private static final Path FILE = Path.of("d.csv");

    @Test
    void aPlaceIsFileLineAndColumnFromOne() {
        CsvErrors errors = new CsvErrors(FILE);
        assertEquals("d.csv:3:1: bad", errors.at(3, 0, "bad").getMessage());
        assertEquals("d.csv:3: bad", errors.atLine(3, "bad").getMessage());
        assertEquals("d.csv: bad", errors.inFile("bad").getMessage());
    }

    @Test
    void onceAHeaderIsKnownItsNamesNameTheColumns() {
        CsvErrors errors = new CsvErrors(FILE);
        errors.nameColumnsBy(new String[]{"a", "", "c"});
        assertEquals("d.csv:2:1: bad (column \"a\")", errors.at(2, 0, "bad").getMessage());
        assertEquals("d.csv:2:2: bad", errors.at(2, 1, "bad").getMessage(), "an unnamed column");
        assertEquals("d.csv:2:4: bad", errors.at(2, 3, "bad").getMessage(), "a cell past the header's width");
    }

    @Test
    void namesListedInMessagesAreFewAndShort() {
        assertEquals("a, b", CsvErrors.shownNames(List.of("a", "b")));
        assertEquals("0, 1, 2, 3, 4, 5, 6, 7, 8, 9, … (12 in all)",
                CsvErrors.shownNames(List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11")));
        String longName = "x".repeat(1000);
        String shown = CsvErrors.shownNames(List.of(longName, longName, longName, longName, longName, longName));
        assertTrue(shown.length() < 300 && shown.endsWith("… (6 in all)"), shown);
        assertEquals("a\\nb", CsvErrors.shownNames(List.of("a\nb")));
    }
}
