package io.clprop.data;

import io.clprop.data.CsvReader.HeaderMode;
import io.clprop.data.CsvReader.KeptBy;
import io.clprop.data.CsvReader.Options;
import io.clprop.util.UserError;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.clprop.util.Wording.setting;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvSchemaTest {
    private static final Path FILE = Path.of("d.csv");

    private static CsvSchema schema(Options options, boolean withLabel, String... first) {
        return CsvSchema.of(first, 1, options, withLabel, null, new CsvErrors(FILE));
    }

    @Test
    void aFirstRowOfNumbersIsDataAndTheLabelIsLastByDefault() {
        CsvSchema s = schema(Options.defaults(), true, "1", "", "NA", "-inf", "0");
        assertNull(s.header, "numbers, missing values and non-finite words are data");
        assertEquals(5, s.columns);
        assertEquals(4, s.labelIndex);
        assertEquals(4, s.featureCount);
        assertEquals(List.of(), s.featureNames());
        assertEquals(List.of("column 1", "column 2", "column 3", "column 4"), s.featureColumns());
    }

    @Test
    void aTextCellMakesAHeaderUnlessItIsTheLabel() {
        assertEquals(null, schema(Options.defaults(), true, "1", "2", "cat").header, "the label may be text");
        CsvSchema s = schema(Options.defaults(), true, "a", "2", "label");
        assertArrayEquals(new String[]{"a", "2", "label"}, s.header);
        assertEquals(List.of("a", "2"), s.featureNames());
        assertEquals(List.of("column 1 (\"a\")", "column 2 (\"2\")"), s.featureColumns());
        assertEquals(null, schema(new Options(HeaderMode.ABSENT, null), true, "a", "b", "c").header, "forced off");
        assertTrue(schema(new Options(HeaderMode.PRESENT, null), true, "1", "2", "3").header != null, "forced on");
    }

    @Test
    void theLabelByIndexOrByNameOrNoneForFeaturesOnly() {
        CsvSchema byIndex = schema(new Options(HeaderMode.AUTO, " 0 "), true, "5", "1", "2");
        assertEquals(0, byIndex.labelIndex);
        assertNull(byIndex.header);
        CsvSchema byName = schema(new Options(HeaderMode.AUTO, "y"), true, "7", "y", "8");
        assertEquals(1, byName.labelIndex);
        assertTrue(byName.header != null, "a name makes the first row a header");
        assertEquals(List.of("7", "8"), byName.featureNames());
        CsvSchema features = schema(Options.defaults(), false, "1", "2");
        assertEquals(-1, features.labelIndex);
        assertEquals(2, features.featureCount);
        assertTrue(features.isFeature(0) && features.isFeature(1));
    }

    @Test
    void keptColumnsAreNeitherFeaturesNorTheLabel() {
        Options o = new Options(HeaderMode.AUTO, "label").withKeepColumns(List.of("note", "id"));
        CsvSchema s = schema(o, true, "id", "1", "note", "label");
        assertArrayEquals(new int[]{1, -1, 0, -1}, s.keptSlot, "each kept column's place in the names asked for");
        assertEquals(List.of("note", "id"), s.keptNames);
        assertEquals(1, s.featureCount);
        assertEquals(List.of("1"), s.featureNames());
        assertTrue(!s.isFeature(0) && s.isFeature(1) && !s.isFeature(2) && !s.isFeature(3));
    }

    @Test
    void aHeaderNamesTheColumnsOfLaterErrors() {
        CsvErrors errors = new CsvErrors(FILE);
        CsvSchema.of(new String[]{"a", "b"}, 1, Options.defaults(), true, null, errors);
        assertEquals("d.csv:2:1: bad (column \"a\")", errors.at(2, 0, "bad").getMessage());
        CsvErrors dataFirst = new CsvErrors(FILE);
        CsvSchema.of(new String[]{"1", "2"}, 1, Options.defaults(), true, null, dataFirst);
        assertEquals("d.csv:2:1: bad", dataFirst.at(2, 0, "bad").getMessage());
    }

    @Test
    void aHeaderCheckSeesTheFeatureNamesOnlyWhenThereIsAHeader() {
        List<List<String>> seen = new ArrayList<>();
        CsvSchema.of(new String[]{"a", "id", "b", "y"}, 1, new Options(HeaderMode.AUTO, "y")
                .withKeepColumns(List.of("id")), true, seen::add, new CsvErrors(FILE));
        assertEquals(List.of(List.of("a", "b")), seen);
        CsvSchema.of(new String[]{"1", "2"}, 1, Options.defaults(), true, seen::add, new CsvErrors(FILE));
        assertEquals(1, seen.size(), "no header, no check");
        UserError twice = assertThrows(UserError.class, () -> CsvSchema.of(new String[]{"a", "a", "y"}, 1,
                Options.defaults(), true, seen::add, new CsvErrors(FILE)));
        assertTrue(twice.getMessage().startsWith("d.csv:1:2: column name \"a\" appears twice"), twice.getMessage());
    }

    /** Messages name settings with marks, so that the command line can show its own names for them. */
    @Test
    void optionsThatFitNoFileNameTheirSetting() {
        UserError empty = assertThrows(UserError.class,
                () -> CsvSchema.checkOptions(new Options(HeaderMode.AUTO, " ")));
        assertEquals(setting("labelColumn") + ": empty; give a column name or a 0-based index", empty.text());
        UserError nameWithoutHeader = assertThrows(UserError.class,
                () -> CsvSchema.checkOptions(new Options(HeaderMode.ABSENT, "y")));
        assertEquals(setting("labelColumn") + " y: a column name needs a header row, but " + setting("noHeader")
                + " was given; use a 0-based index", nameWithoutHeader.text());
        UserError ignoredTwice = assertThrows(UserError.class, () -> CsvSchema.checkOptions(Options.defaults()
                .withKeepColumns(List.of("id", "id"), KeptBy.IGNORE_COLUMNS)));
        assertEquals(setting("ignoreColumns") + ": \"id\" is given twice", ignoredTwice.text());
        assertEquals("ignoreColumns: \"id\" is given twice", ignoredTwice.getMessage());
        UserError both = assertThrows(UserError.class, () -> CsvSchema.checkOptions(Options.defaults()
                .withKeepColumns(List.of(""), KeptBy.KEEP_AND_IGNORE_COLUMNS)));
        assertEquals(setting("keepColumns") + "/" + setting("ignoreColumns") + ": an empty column name", both.text());
        CsvSchema.checkOptions(new Options(HeaderMode.ABSENT, "2"));
    }

    @Test
    void keptByDefaultsToKeepColumns() {
        assertSame(KeptBy.KEEP_COLUMNS, Options.defaults().keptBy());
        assertSame(KeptBy.KEEP_COLUMNS, Options.defaults().withKeepColumns(List.of("id")).keptBy());
        assertSame(KeptBy.IGNORE_COLUMNS, Options.defaults().withKeepColumns(List.of("id"), KeptBy.IGNORE_COLUMNS)
                .withMissing(CsvReader.Missing.ALLOWED).keptBy(), "kept through withMissing");
    }

    @Test
    void columnsThatCannotBeFound() {
        UserError unknown = assertThrows(UserError.class, () -> schema(Options.defaults()
                .withKeepColumns(List.of("zz"), KeptBy.IGNORE_COLUMNS), true, "a", "b"));
        assertEquals(setting("ignoreColumns") + ": no column \"zz\" in d.csv (header: a, b)", unknown.text());
        UserError label = assertThrows(UserError.class, () -> schema(new Options(HeaderMode.AUTO, "9"), true, "1", "2"));
        assertEquals(setting("labelColumn") + " 9: d.csv has 2 columns (indices 0..1)", label.text());
        UserError onlyLabel = assertThrows(UserError.class, () -> schema(Options.defaults(), true, "0"));
        assertEquals("d.csv:1:1: no feature columns: the only column is the label", onlyLabel.getMessage());
    }
}
