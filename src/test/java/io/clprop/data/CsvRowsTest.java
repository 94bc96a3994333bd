package io.clprop.data;

import io.clprop.data.CsvReader.HeaderMode;
import io.clprop.data.CsvReader.Missing;
import io.clprop.data.CsvReader.Options;
import io.clprop.util.UserError;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static io.clprop.util.Wording.setting;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class CsvRowsTest {
    private static final Path FILE = Path.of("d.csv");

    /** Rows for a file whose header is {@code header}, the label and kept columns as {@code options} say. */
    private static CsvRows rows(Options options, boolean withLabel, String... header) {
        CsvErrors errors = new CsvErrors(FILE);
        CsvSchema schema = CsvSchema.of(header, 1, options, withLabel, null, errors);
        return new CsvRows(schema, options.missing(), errors);
    }

    private static String[] cells(String line) {
        String[] c = line.split(",", -1);
        for (int i = 0; i < c.length; i++) {
            c[i] = c[i].strip();
        }
        return c;
    }

    @Test
    void cellsGoToFeaturesLabelsAndKeptText() {
        CsvRows r = rows(new Options(HeaderMode.AUTO, "y").withKeepColumns(List.of("id")), true, "id", "a", "y", "b");
        r.add(cells("s1, 1.5, cat, -2"), 2);
        r.addPlain("s2 ,3,dog,4e1", 5);
        assertEquals(2, r.count());
        assertArrayEquals(new float[]{1.5f, -2, 3, 40}, r.features());
        assertEquals(List.of("cat", "dog"), r.labels());
        assertArrayEquals(new String[]{"s1", "s2"}, r.kept());
        assertEquals(2, r.line(0));
        assertEquals(5, r.line(1), "each row's line, for messages about its label");
    }

    /** The in-place path and the general one give the same rows, past the first capacity of either array. */
    @Test
    void bothPathsAgreeAndGrow() {
        CsvRows general = rows(Options.defaults(), true, "a", "b", "c", "label");
        CsvRows plain = rows(Options.defaults(), true, "a", "b", "c", "label");
        for (int i = 0; i < 1000; i++) {
            String line = i + ", " + (i * 0.25) + " ," + (-i) + "e-3," + (i % 7);
            general.add(cells(line), i + 2);
            plain.addPlain(line, i + 2);
        }
        assertEquals(1000, plain.count());
        assertArrayEquals(general.features(), plain.features());
        assertEquals(general.labels(), plain.labels());
        assertEquals(3000, plain.features().length);
        assertEquals(1001, plain.line(999));
        assertEquals(999f * 0.25f, plain.features()[2998]);
    }

    @Test
    void aRowOfTheWrongWidthIsRefusedOnEitherPath() {
        CsvRows r = rows(Options.defaults(), true, "a", "b", "label");
        UserError plain = assertThrows(UserError.class, () -> r.addPlain("1,2", 3));
        assertEquals("d.csv:3:3: row has 2 cells, expected 3 cells, as the header has (column \"label\")",
                plain.getMessage(), "the first missing cell's column");
        UserError general = assertThrows(UserError.class, () -> r.add(cells("1,2,3,4"), 4));
        assertEquals("d.csv:4:4: row has 4 cells, expected 3 cells, as the header has", general.getMessage());
        assertEquals(0, r.count());
    }

    @Test
    void missingCellsAreNaNOrRefusedWithTheOptionsRefusal() {
        CsvRows allowed = rows(Options.defaults().withMissing(Missing.ALLOWED), true, "a", "b", "label");
        allowed.addPlain("NA,,0", 2);
        assertArrayEquals(new float[]{Float.NaN, Float.NaN}, allowed.features());
        CsvRows refused = rows(Options.defaults(), true, "a", "b", "label");
        UserError e = assertThrows(UserError.class, () -> refused.addPlain("1,NA,0", 2));
        assertEquals("d.csv:2:2: \"NA\": a missing value, which " + setting("missing") + " error (the default) "
                + "refuses; train with " + setting("missing") + " mean or zero to fill it (column \"b\")", e.text());
        UserError label = assertThrows(UserError.class, () -> refused.addPlain("1,2,", 3));
        assertEquals("d.csv:3:3: empty label (column \"label\")", label.getMessage());
    }

    @Test
    void textInAFeaturesOnlyFileMayBeAnUnnamedLabel() {
        CsvRows featuresOnly = rows(Options.defaults(), false, "a", "b");
        UserError e = assertThrows(UserError.class, () -> featuresOnly.addPlain("1,cat", 2));
        assertEquals("d.csv:2:2: \"cat\" is not a number (column \"b\"); if this is a label column, name it with "
                + setting("labelColumn") + " to leave it out", e.text());
        CsvRows labelled = rows(Options.defaults(), true, "a", "b", "label");
        UserError l = assertThrows(UserError.class, () -> labelled.add(cells("1,cat,0"), 2));
        assertEquals("d.csv:2:2: \"cat\" is not a number (column \"b\")", l.text());
    }
}
