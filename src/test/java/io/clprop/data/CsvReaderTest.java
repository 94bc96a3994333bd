package io.clprop.data;

import io.clprop.data.CsvReader.Classes;
import io.clprop.data.CsvReader.HeaderMode;
import io.clprop.data.CsvReader.Options;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.clprop.data.UserErrors.assertUserError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvReaderTest {
    @TempDir
    Path dir;

    private int files;

    /** A new file for each call, so that a test can hold several. */
    Path csv(String content) throws IOException {
        Path p = dir.resolve("d" + files++ + ".csv");
        Files.writeString(p, content);
        return p;
    }

    static Options opts(HeaderMode h, String label) {
        return new Options(h, label);
    }

    @Test
    void headerLabelByNameAndNamedClasses() throws IOException {
        Path p = csv("sepal,species,petal\n1.5,virginica,2\n-3e-1,setosa,.5\n4,versicolor,+6\n7,setosa,8\n");
        CsvReader.Labelled l = CsvReader.readLabelled(p, opts(HeaderMode.AUTO, "species"));
        assertEquals(List.of("setosa", "versicolor", "virginica"), l.classes().names(), "sorted names");
        Dataset d = l.data();
        assertEquals(2, d.featureCount());
        assertEquals(3, d.numClasses());
        assertArrayEquals(new float[]{1.5f, 2, -0.3f, 0.5f, 4, 6, 7, 8}, d.features());
        assertArrayEquals(new int[]{2, 0, 1, 0}, d.labels());
    }

    @Test
    void noHeaderIntegerLabelsInTheLastColumnByDefault() throws IOException {
        Path p = csv("0.1,0.2,3\n0.3,0.4,0\r\n\n  \n0.5 , 0.6, 1.0\n");
        CsvReader.Labelled l = CsvReader.readLabelled(p, Options.defaults());
        assertTrue(l.classes().names().isEmpty());
        assertEquals(4, l.data().numClasses(), "classes 0..max");
        assertArrayEquals(new int[]{3, 0, 1}, l.data().labels(), "\"1.0\" is class 1");
        assertArrayEquals(new float[]{0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f}, l.data().features());
    }

    @Test
    void labelByIndexAnywhere() throws IOException {
        Path p = csv("b,1,2\na,3,4\n");
        CsvReader.Labelled l = CsvReader.readLabelled(p, opts(HeaderMode.AUTO, "0"));
        assertEquals(List.of("a", "b"), l.classes().names());
        assertArrayEquals(new int[]{1, 0}, l.data().labels());
        assertArrayEquals(new float[]{1, 2, 3, 4}, l.data().features(), "a non-numeric label is not a header sign");
    }

    @Test
    void headerDetectionAndForcing() throws IOException {
        Path numeric = csv("1,2,0\n3,4,1\n");
        assertEquals(2, CsvReader.readLabelled(numeric, Options.defaults()).data().size(), "auto: no header");
        assertEquals(1, CsvReader.readLabelled(numeric, opts(HeaderMode.PRESENT, null)).data().size(), "--header");
        Path named = csv("x,y,label\n3,4,1\n");
        assertEquals(1, CsvReader.readLabelled(named, Options.defaults()).data().size(), "auto: header");
        assertUserError(() -> CsvReader.readLabelled(named, opts(HeaderMode.ABSENT, null)),
                named + ":1:1: \"x\" is not a number");
    }

    @Test
    void quotedCellsBomAndSignedLabels() throws IOException {
        Path p = dir.resolve("q.csv");
        Files.write(p, ("\uFEFF\"f 1\",\"f,2\",lab\n\"1\", 2 ,\"-1\"\n3,\"4\",\"say \"\"hi\"\"\"\n5,6,1\n")
                .getBytes(StandardCharsets.UTF_8));
        CsvReader.Labelled l = CsvReader.readLabelled(p, opts(HeaderMode.AUTO, "lab"));
        assertEquals(List.of("-1", "1", "say \"hi\""), l.classes().names(), "-1 is not a class index: names");
        assertArrayEquals(new int[]{0, 2, 1}, l.data().labels());
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6}, l.data().features());
    }

    @Test
    void secondFileIsMappedOntoTheFirstFilesClasses() throws IOException {
        Classes named = new Classes(3, List.of("a", "b", "c"), "the model's classes");
        Path p = csv("1,c\n2,a\n");
        assertArrayEquals(new int[]{2, 0}, CsvReader.readLabelled(p, Options.defaults(), named).data().labels());
        assertEquals(3, CsvReader.readLabelled(p, Options.defaults(), named).data().numClasses(), "the model's count");
        Path unknown = csv("1,c\n2,d\n");
        assertUserError(() -> CsvReader.readLabelled(unknown, Options.defaults(), named),
                unknown + ":2:2: label \"d\" is not one of the model's classes: a, b, c");
        Classes indices = new Classes(3, List.of(), "the training set's classes");
        Path big = csv("1,0\n2,3\n");
        assertUserError(() -> CsvReader.readLabelled(big, Options.defaults(), indices),
                big + ":2:2: label \"3\" is not one of the training set's classes: 0..2");
    }

    @Test
    void featuresOnlyForPrediction() throws IOException {
        Path p = csv("a,b,label\n1,2,x\n3,4,y\n");
        CsvReader.Features all = CsvReader.readFeatures(csv("1,2,3\n4,5,6\n"), Options.defaults());
        assertEquals(3, all.featureCount(), "no label column unless one is named");
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6}, all.values());
        CsvReader.Features dropped = CsvReader.readFeatures(p, opts(HeaderMode.AUTO, "label"));
        assertEquals(2, dropped.featureCount());
        assertArrayEquals(new float[]{1, 2, 3, 4}, dropped.values());
        assertUserError(() -> CsvReader.readFeatures(p, Options.defaults()), ":2:3: \"x\" is not a number (column \"label\")");
    }

    @Test
    void featureNamesAreTheHeaderWithoutTheLabel() throws IOException {
        Path p = csv("sepal,species,\"petal, width\"\n1,a,2\n3,b,4\n");
        assertEquals(List.of("sepal", "petal, width"), CsvReader.readLabelled(p, opts(HeaderMode.AUTO, "species"))
                .featureNames(), "in column order, the label left out");
        assertEquals(List.of("sepal", "species"), CsvReader.readLabelled(csv("sepal,species,petal\n1,2,0\n"),
                Options.defaults()).featureNames(), "the default label is the last column");
        assertEquals(List.of("sepal", "petal, width"), CsvReader.readFeatures(p, opts(HeaderMode.AUTO, "1"))
                .featureNames(), "a label given by index is left out too");
        assertEquals(List.of(), CsvReader.readLabelled(csv("1,2,0\n3,4,1\n"), Options.defaults()).featureNames());
        assertEquals(List.of(), CsvReader.readFeatures(csv("1,2\n3,4\n"), Options.defaults()).featureNames());
        Path numeric = csv("1,2,0\n3,4,1\n");
        assertEquals(List.of("1", "2"), CsvReader.readLabelled(numeric, opts(HeaderMode.PRESENT, null)).featureNames(),
                "--header: the first row's cells are names whatever they look like");
    }

    @Test
    void aHeaderCheckSeesTheNamesBeforeAnyRow() throws IOException {
        // Row 3 is broken, but the check refuses the file at the header, so its message is the one seen.
        Path p = csv("b,a,label\n1,2,x\n3,oops,y\n");
        List<List<String>> seen = new java.util.ArrayList<>();
        assertUserError(() -> CsvReader.readLabelled(p, Options.defaults(), null, names -> {
            seen.add(names);
            throw new io.clprop.util.UserError("refused " + names);
        }), "refused [b, a]");
        assertEquals(List.of(List.of("b", "a")), seen);
        List<List<String>> none = new java.util.ArrayList<>();
        CsvReader.readFeatures(csv("1,2\n3,4\n"), Options.defaults(), none::add);
        assertEquals(List.of(), none, "not called without a header");
    }

    @Test
    void namesToBeMatchedMustBeDistinctAndPresent() throws IOException {
        Path twice = csv("a,b,a,label\n1,2,3,x\n");
        Path unnamed = csv(",b,label\n1,2,x\n");
        assertUserError(() -> CsvReader.readLabelled(twice, Options.defaults(), null, CsvReader.HeaderCheck.NAMES_USABLE),
                twice + ":1:3: column name \"a\" appears twice in the header (columns 1 and 3)");
        assertUserError(() -> CsvReader.readLabelled(unnamed, Options.defaults(), null, CsvReader.HeaderCheck.NAMES_USABLE),
                unnamed + ":1:1: a feature column without a name in the header");
        assertUserError(() -> CsvReader.readLabelled(unnamed, Options.defaults(), null, CsvReader.HeaderCheck.NAMES_USABLE),
                "(an unnamed first column is often a pandas index: write it with to_csv(..., index=False))");
        // Without a check, such headers are read as before: by position.
        assertEquals(List.of("a", "b", "a"), CsvReader.readLabelled(twice, Options.defaults()).featureNames());
        assertEquals(List.of("", "b"), CsvReader.readFeatures(unnamed, opts(HeaderMode.AUTO, "label")).featureNames());
        // A label column shares no name with the features it is left out of.
        Path labelTwice = csv("a,b,a\n1,2,x\n");
        assertEquals(List.of("a", "b"), CsvReader.readLabelled(labelTwice, opts(HeaderMode.AUTO, "2"), null,
                CsvReader.HeaderCheck.NAMES_USABLE).featureNames());
    }

    // ---- quoted cells over several lines (RFC 4180) -----------------------------------------------------

    @Test
    void quotedCellsMaySpanLinesWithLfOrCrlf() throws IOException {
        // Header: lines 1–2 (a name with a line break). Records: 3–4 (CRLF inside), 5–6, a blank line 7, then 8.
        String text = "x,\"first\nname\",label\r\n"
                + "1,2,\"a\r\nb\"\r\n"
                + "3,4,\"say \"\"hi\"\"\nthere\"\n"
                + "\n"
                + "5,6,c\n";
        CsvReader.Labelled l = CsvReader.readLabelled(csv(text), Options.defaults());
        assertEquals(List.of("x", "first\nname"), l.featureNames(), "the break is part of the name");
        assertEquals(List.of("a\r\nb", "c", "say \"hi\"\nthere"), l.classes().names(),
                "each line break kept as it was written, CRLF or LF");
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6}, l.data().features());
        assertArrayEquals(new int[]{0, 2, 1}, l.data().labels());

        // Errors name the line a record starts on: the record after the multi-line ones, and a bad cell within one.
        Path after = csv(text + "7,oops,d\n");
        assertUserError(() -> CsvReader.readLabelled(after, Options.defaults()),
                after + ":9:2: \"oops\" is not a number (column \"first\\nname\")");
        Path within = csv("a,b,label\n1,2,x\n3,\"4\n5\",\"y\nz\"\n6,7,w\n");
        String m = assertUserError(() -> CsvReader.readLabelled(within, Options.defaults()),
                within + ":3:2: \"4\\n5\" is not a number (column \"b\")");
        assertEquals(1, m.lines().count(), "a cell's line break is shown as \\n, the message stays one line");
        Path labelLater = csv("a,b\n1,\"x\ny\"\n2,\"\"\n");
        assertUserError(() -> CsvReader.readLabelled(labelLater, Options.defaults()), labelLater + ":4:2: empty label");
    }

    @Test
    void aLoneCarriageReturnEndsALineAsBefore() throws IOException {
        CsvReader.Labelled l = CsvReader.readLabelled(csv("1,2,0\r3,4,1\r"), Options.defaults());
        assertArrayEquals(new float[]{1, 2, 3, 4}, l.data().features());
        assertUserError(() -> CsvReader.readLabelled(csv("1,2,0\r3,x,1\r"), Options.defaults()), ":2:2: \"x\" is not a number");
    }

    @Test
    void anUnterminatedQuoteNamesTheLineItOpenedOn() throws IOException {
        Path simple = csv("a,label\n1,x\n2,\"y\n3,z\n");
        assertUserError(() -> CsvReader.readLabelled(simple, Options.defaults()), simple + ":3:2: unterminated quoted cell: "
                + "the quote opened on line 3 is not closed before the end of the file");
        // The record starts on line 2; its second cell closes on line 3, where its third cell opens a quote for good.
        Path later = csv("a,b,label\n1,\"2\n\",\"x\n4,5,y\n");
        assertUserError(() -> CsvReader.readLabelled(later, Options.defaults()),
                later + ":2:3: unterminated quoted cell: the quote opened on line 3 is not closed before the end of the file");
        Path noFinalBreak = csv("a,label\n1,\"x");
        assertUserError(() -> CsvReader.readLabelled(noFinalBreak, Options.defaults()), ":2:2: unterminated quoted cell");
    }

    @Test
    void aQuoteLeftOpenDoesNotReadTheWholeFileIntoOneCell() throws IOException {
        Path p = dir.resolve("runaway.csv");
        int lines = CsvReader.MAX_RECORD_CHARS / 4 + 10; // 4 characters a line with its break: past the limit
        try (var w = Files.newBufferedWriter(p)) {
            w.write("a,label\n1,\"x\n");
            for (int i = 0; i < lines; i++) {
                w.write("2,y\n");
            }
            w.write("3,\"z\"\n"); // a closing quote at last, too late
        }
        assertUserError(() -> CsvReader.readLabelled(p, Options.defaults()), p + ":2:2: unterminated quoted cell: the quote "
                + "opened on line 2 is still open after " + CsvReader.MAX_RECORD_CHARS + " characters");
    }

    // ---- missing values -------------------------------------------------------------------------------

    @Test
    void missingCellsAreNaNWhenAllowedAndNamedWhenRefused() throws IOException {
        Path p = csv("a,b,label\n1,,x\nNA,2,y\n 3 , NA ,z\n4,\"\",x\n");
        Options allowed = Options.defaults().withMissing(CsvReader.Missing.ALLOWED);
        CsvReader.Labelled l = CsvReader.readLabelled(p, allowed);
        float nan = Float.NaN;
        assertArrayEquals(new float[]{1, nan, nan, 2, 3, nan, 4, nan}, l.data().features(),
                "empty, NA, NA with spaces and a quoted empty cell are missing");
        assertEquals(List.of("column 1 (\"a\")", "column 2 (\"b\")"), l.featureColumns());
        assertUserError(() -> CsvReader.readLabelled(p, Options.defaults()), p + ":2:2: empty cell: a missing value, "
                + "which missing error (the default) refuses; train with missing mean or zero to fill it (column \"b\")");
        Path na = csv("a,b,label\nNA,2,y\n");
        assertUserError(() -> CsvReader.readLabelled(na, Options.defaults()), na + ":2:1: \"NA\": a missing value");
        Options model = Options.defaults().withMissing(CsvReader.Missing.refused("but model m has no fill values"));
        assertUserError(() -> CsvReader.readFeatures(p, model.withKeepColumns(List.of("label"))),
                p + ":2:2: empty cell: a missing value, but model m has no fill values (column \"b\")");
    }

    @Test
    void missingIsOnlyEmptyOrNaAndNeverALabel() throws IOException {
        Options allowed = Options.defaults().withMissing(CsvReader.Missing.ALLOWED);
        for (String word : new String[]{"NaN", "nan", "Inf"}) {
            assertUserError(() -> CsvReader.readLabelled(csv("1," + word + ",0\n"), allowed),
                    ":1:2: \"" + word + "\": NaN and infinite features are not allowed");
        }
        // Only the literal NA is missing, not other spellings.
        assertUserError(() -> CsvReader.readLabelled(csv("1,2,0\n3,na,1\n"), allowed), ":2:2: \"na\" is not a number");
        assertUserError(() -> CsvReader.readLabelled(csv("1,2,0\n1,2,\n"), allowed), ":2:3: empty label");
        CsvReader.Labelled l = CsvReader.readLabelled(csv("1,2,NA\n3,4,b\n"), allowed);
        assertEquals(List.of("NA", "b"), l.classes().names(), "NA in the label column is a class like any other");
        // A first row with NA is data, not a header (NA is not a column name's sign).
        assertEquals(2, CsvReader.readLabelled(csv("NA,2,0\n3,4,1\n"), allowed).data().size());
    }

    // ---- kept columns ---------------------------------------------------------------------------------

    @Test
    void keptColumnsAreTextLeftOutOfTheFeatures() throws IOException {
        Path p = csv("id,a,note,b\ns1,1,\"x, \"\"y\"\"\nz\",2\n s2 ,3,,4\n");
        CsvReader.Features f = CsvReader.readFeatures(p, Options.defaults().withKeepColumns(List.of("note", "id")));
        assertArrayEquals(new float[]{1, 2, 3, 4}, f.values());
        assertEquals(2, f.featureCount());
        assertEquals(List.of("a", "b"), f.featureNames(), "kept columns are not features");
        assertEquals(List.of("note", "id"), f.keptNames(), "in the order asked for");
        assertArrayEquals(new String[]{"x, \"y\"\nz", "s1", "", "s2"}, f.kept(), "row by row, as text");
        // Names make the first row a header even when it looks like data.
        CsvReader.Features numeric = CsvReader.readFeatures(csv("7,1,2\n5,3,4\n"),
                Options.defaults().withKeepColumns(List.of("7")));
        assertArrayEquals(new String[]{"5"}, numeric.kept());
        assertEquals(List.of("1", "2"), numeric.featureNames());
        // Without kept columns, nothing is kept.
        CsvReader.Features none = CsvReader.readFeatures(csv("a,b\n1,2\n"), Options.defaults());
        assertEquals(0, none.kept().length);
    }

    @Test
    void keptColumnsMustBeFoundOnceInAHeader() throws IOException {
        Path p = csv("id,a,label\ns1,1,x\n");
        assertUserError(() -> CsvReader.readFeatures(p, Options.defaults().withKeepColumns(List.of("id", "zz", "yy"))),
                "keepColumns: no column \"zz\", \"yy\" in " + p + " (header: id, a, label)");
        assertUserError(() -> CsvReader.readFeatures(p, opts(HeaderMode.ABSENT, null).withKeepColumns(List.of("id"))),
                "keepColumns: columns are named by their header names, but noHeader was given");
        assertUserError(() -> CsvReader.readFeatures(p, opts(HeaderMode.AUTO, "label").withKeepColumns(List.of("label"))),
                "keepColumns label: it is the labelColumn");
        assertUserError(() -> CsvReader.readFeatures(p, Options.defaults().withKeepColumns(List.of("id", "id"))),
                "keepColumns: \"id\" is given twice");
        Path twice = csv("id,a,id\ns1,1,s2\n");
        assertUserError(() -> CsvReader.readFeatures(twice, Options.defaults().withKeepColumns(List.of("id"))),
                twice + ":1:3: column name \"id\" appears twice in the header");
        Path only = csv("id,label\ns1,x\n");
        assertUserError(() -> CsvReader.readFeatures(only, opts(HeaderMode.AUTO, "label").withKeepColumns(List.of("id"))),
                only + ":1:1: no feature columns left");
    }

    @ParameterizedTest(name = "{2}")
    @CsvSource(delimiter = '|', value = {
            "''                           | -       | empty file",
            "'\n  \n'                     | -       | empty file",
            "'a,b,c\n'                    | -       | no data rows (only the header on line 1)",
            "'1,2,0\n3,0\n'               | -       | :2:3: row has 2 cells, expected 3 cells, as the first row has",
            "'x,y,l\n1,2,0\n3,4,5,1\n'    | -       | :3:4: row has 4 cells, expected 3 cells, as the header has",
            "'x,y,l\n1,2,0\n3,abc,1\n'    | -       | :3:2: \"abc\" is not a number (column \"y\")",
            "'1,2,0\n3,0x10,1\n'          | -       | :2:2: \"0x10\" is not a number",
            "'1,2,0\n3,1.5f,1\n'          | -       | :2:2: \"1.5f\" is not a number",
            "'1,NaN,0\n'                  | -       | :1:2: \"NaN\": NaN and infinite features are not allowed",
            "'1,2,0\n-inf,2,1\n'          | -       | :2:1: \"-inf\": NaN and infinite features are not allowed",
            "'1,2,0\n1e39,2,1\n'          | -       | :2:1: 1e39 is outside the float32 range",
            "'1,2,0\n1,,1\n'              | -       | :2:2: empty cell",
            "'1,2,0\n1,2,\n'              | -       | :2:3: empty label",
            "'x,y,l\n1,2,0\n'             | label   | labelColumn label: no such column in",
            "'1,2,0\n'                    | 3       | labelColumn 3:",
            "'1,2,0\n'                    | 99999999999 | labelColumn 99999999999:",
            "'x,l,l\n1,2,0\n'             | l       | :1:3: column name \"l\" appears twice",
            "'0\n1\n'                     | -       | :1:1: no feature columns",
            "'1,\"ab\n'                   | -       | :1:2: unterminated quoted cell",
            "'1,\"a\"b,0\n'               | -       | :1:2: text after a closing quote",
            "'1,2,0\n1,2,70000\n'         | -       | :2:3: label 70000 would make 70001 classes",
    })
    void everyProblemIsOneLineWithFileLineAndColumn(String content, String label, String expected) throws IOException {
        Path p = csv(content);
        Options o = opts(HeaderMode.AUTO, label.equals("-") ? null : label);
        String m = assertUserError(() -> CsvReader.readLabelled(p, o), expected);
        assertTrue(m.startsWith(p.toString()) || m.startsWith("labelColumn"), m);
        if (m.startsWith("labelColumn")) {
            assertTrue(m.contains(p.toString()), "names the file: " + m);
        }
    }

    @Test
    void nameWithNoHeaderMissingFileAndBinary() throws IOException {
        Path p = csv("1,2,0\n");
        assertUserError(() -> CsvReader.readLabelled(p, opts(HeaderMode.ABSENT, "label")), "needs a header row");
        assertUserError(() -> CsvReader.readLabelled(dir.resolve("none.csv"), Options.defaults()), "none.csv: file not found");
        Path bin = dir.resolve("b.csv");
        Files.write(bin, new byte[]{'1', ',', (byte) 0xC3, '\n'});
        assertUserError(() -> CsvReader.readLabelled(bin, Options.defaults()), "b.csv: not UTF-8 text");
        assertUserError(() -> CsvReader.readLabelled(dir, Options.defaults()), "is a folder");
    }
}
