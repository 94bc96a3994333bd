package io.clprop.cli;

import io.clprop.SyntheticData;
import io.clprop.data.Dataset;
import io.clprop.data.FeatureFill;
import io.clprop.data.Standardizer;
import io.clprop.model.ModelFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.clprop.cli.CliTest.run;
import static io.clprop.cli.ModelCommandsTest.failsCleanly;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `train --missing mean|zero` fills missing CSV cells (empty or NA) with values fitted on the training set,
 * stores them in the model, and eval and predict fill the same: a file with gaps gives exactly what the same
 * file with the fill values written in gives. Without fills (the default, or an older model) a missing cell
 * is refused at its file:line:column.
 */
class MissingValuesCliTest {
    static final List<String> CLASSES = List.of("ash", "birch", "cedar");
    /** The file's columns: four features around the label. */
    static final String HEADER = "a,b,kind,c,d";
    /** The file column (1-based) of each feature. */
    static final int[] COLUMN = {1, 2, 4, 5};
    static final float[] SCALE = {1000, 0.001f, 1, -3};

    @TempDir
    static Path dir;
    static Dataset train, test;
    static Path trainGaps, testGaps, trainFull;
    static long trainMissing, testMissing;
    /** The means of the training set's present values, computed here as the brief defines them. */
    static float[] means;

    /** Row i's feature j is missing in a file with gaps: about one cell in eleven. */
    static boolean gap(int i, int j) {
        return (i * 7 + j * 3) % 11 == 0;
    }

    /** Feature j of row i as the files hold it (a float written as text reads back as the same float). */
    static float value(Dataset d, int i, int j) {
        return d.row(i)[j] * SCALE[j];
    }

    /**
     * The data set as CSV; {@code cell} gives the text of row i's feature j when it is a gap (null: no gaps),
     * alternately empty and NA in the files with gaps.
     */
    static Path write(String name, Dataset d, CellText cell) throws IOException {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (int i = 0; i < d.size(); i++) {
            List<String> cells = new ArrayList<>();
            for (int j = 0; j < 4; j++) {
                cells.add(cell != null && gap(i, j) ? cell.text(i, j) : Float.toString(value(d, i, j)));
                if (j == 1) {
                    cells.add(CLASSES.get(d.labels()[i]));
                }
            }
            sb.append(String.join(",", cells)).append('\n');
        }
        return Files.writeString(dir.resolve(name), sb);
    }

    interface CellText {
        String text(int i, int j);
    }

    static final CellText GAPS = (i, j) -> i % 2 == 0 ? "" : "NA";

    static long gaps(Dataset d) {
        long n = 0;
        for (int i = 0; i < d.size(); i++) {
            for (int j = 0; j < 4; j++) {
                n += gap(i, j) ? 1 : 0;
            }
        }
        return n;
    }

    @BeforeAll
    static void data() throws IOException {
        Dataset all = SyntheticData.blobs(400, 4, 3, 0.4, 57);
        train = all.select(java.util.stream.IntStream.range(0, 300).toArray());
        test = all.select(java.util.stream.IntStream.range(300, 400).toArray());
        trainGaps = write("train.csv", train, GAPS);
        testGaps = write("test.csv", test, GAPS);
        trainFull = write("train-full.csv", train, null);
        trainMissing = gaps(train);
        testMissing = gaps(test);
        assertTrue(trainMissing > 0 && testMissing > 0);
        // Both kinds of missing cell among the training set's gaps, so that the counts above count both.
        boolean empty = false, na = false;
        for (int i = 0; i < train.size(); i++) {
            for (int j = 0; j < 4; j++) {
                empty |= gap(i, j) && GAPS.text(i, j).isEmpty();
                na |= gap(i, j) && GAPS.text(i, j).equals("NA");
            }
        }
        assertTrue(empty && na);
        means = new float[4];
        for (int j = 0; j < 4; j++) {
            double sum = 0;
            int n = 0;
            for (int i = 0; i < train.size(); i++) {
                if (!gap(i, j)) {
                    sum += value(train, i, j);
                    n++;
                }
            }
            means[j] = (float) (sum / n);
        }
    }

    static CliTest.Result train(Path data, Path testData, Path save, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--device", "cpu", "--format", "csv", "--data",
                data.toString(), "--label-column", "kind", "--hidden", "8", "--epochs", "3", "--batch", "25",
                "--optimizer", "adam", "--lr", "0.02", "--save", save.toString()));
        if (testData != null) {
            args.addAll(List.of("--test-data", testData.toString()));
        }
        args.addAll(List.of(more));
        CliTest.Result r = run(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.out() + r.err());
        return r;
    }

    static CliTest.Result eval(Path model, Path csv) {
        CliTest.Result r = run("eval", "--model", model.toString(), "--format", "csv", "--data", csv.toString(),
                "--label-column", "kind", "--device", "cpu");
        assertEquals(0, r.status(), r.out() + r.err());
        return r;
    }

    static CliTest.Result predict(Path model, Path csv, Path output) {
        CliTest.Result r = run("predict", "--model", model.toString(), "--format", "csv", "--input", csv.toString(),
                "--label-column", "kind", "--output", output.toString(), "--device", "cpu");
        assertEquals(0, r.status(), r.out() + r.err());
        return r;
    }

    /** eval's report without the lines that name the file (data, missing). */
    static List<String> results(CliTest.Result r) {
        return r.out().lines().filter(l -> !l.startsWith("data ") && !l.startsWith("missing ")).toList();
    }

    static String line(CliTest.Result r, String prefix) {
        return r.out().lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError(
                "no line " + prefix + " in " + r.out()));
    }

    /** The training set with its gaps filled with {@code fill}, as train should have it before standardising. */
    static Dataset filled(Dataset d, float[] fill) {
        float[] x = new float[d.size() * 4];
        for (int i = 0; i < d.size(); i++) {
            for (int j = 0; j < 4; j++) {
                x[i * 4 + j] = gap(i, j) ? fill[j] : value(d, i, j);
            }
        }
        return new Dataset(x, d.labels(), 4, 3);
    }

    @Test
    void meanFillsAreStoredAndEvalAndPredictFillTheSame(@TempDir Path out) throws IOException {
        Path model = out.resolve("mean.clprop");
        CliTest.Result t = train(trainGaps, testGaps, model, "--missing", "mean");
        assertEquals("missing " + trainMissing + " cells filled with the training means (" + trainGaps + "), "
                + testMissing + " (" + testGaps + ")", line(t, "missing "));

        ModelFile m = ModelFile.read(model);
        assertEquals(FeatureFill.Policy.MEAN, m.fill().policy());
        assertArrayEquals(means, m.fill().values(), "each feature's mean over its present training values");
        assertEquals(Standardizer.fit(filled(train, means)), m.standardizer(), "standardised after filling");

        // The same cells written in: every result the same, to the last digit.
        Path testWritten = write("test-mean-written.csv", test, (i, j) -> Float.toString(means[j]));
        CliTest.Result gapsEval = eval(model, testGaps), writtenEval = eval(model, testWritten);
        assertEquals(results(writtenEval), results(gapsEval));
        assertEquals("missing  " + testMissing + " cells filled with the training means (" + testGaps + ")",
                line(gapsEval, "missing "));
        assertEquals("missing  0 cells filled with the training means (" + testWritten + ")",
                line(writtenEval, "missing "));
        double accuracy = ModelCommandsTest.printedAccuracy(gapsEval.out());
        assertTrue(accuracy > 0.6, "a model that has learnt something, so the comparison means something: " + accuracy);

        Path p = out.resolve("p.csv"), q = out.resolve("q.csv");
        CliTest.Result pr = predict(model, testGaps, p);
        predict(model, testWritten, q);
        assertArrayEquals(Files.readAllBytes(q), Files.readAllBytes(p));
        assertEquals("missing  " + testMissing + " cells filled with the training means (" + testGaps + ")",
                line(pr, "missing "));

        // train's test set is filled with the training means too: the same run as with the means written in.
        Path model2 = out.resolve("mean2.clprop");
        CliTest.Result t2 = train(trainGaps, testWritten, model2, "--missing", "mean");
        assertEquals(line(t, "test accuracy"), line(t2, "test accuracy"));
        assertArrayEquals(m.parameters(), ModelFile.read(model2).parameters());
    }

    @Test
    void zeroFillsAreZeros(@TempDir Path out) throws IOException {
        Path model = out.resolve("zero.clprop");
        CliTest.Result t = train(trainGaps, null, model, "--missing", "zero");
        assertEquals("missing " + trainMissing + " cells filled with 0 (" + trainGaps + ")", line(t, "missing "));
        ModelFile m = ModelFile.read(model);
        assertEquals(FeatureFill.Policy.ZERO, m.fill().policy());
        assertArrayEquals(new float[4], m.fill().values());
        assertEquals(Standardizer.fit(filled(train, new float[4])), m.standardizer());
        Path zeros = write("test-zeros.csv", test, (i, j) -> "0");
        Path p = out.resolve("p.csv"), q = out.resolve("q.csv");
        predict(model, testGaps, p);
        predict(model, zeros, q);
        assertArrayEquals(Files.readAllBytes(q), Files.readAllBytes(p));
    }

    /** The first gap of a file with gaps, as "file:line:column: what". */
    static String firstGap(Path file) {
        for (int i = 0; ; i++) {
            for (int j = 0; j < 4; j++) {
                if (gap(i, j)) {
                    return file + ":" + (i + 2) + ":" + COLUMN[j] + ": " + (GAPS.text(i, j).isEmpty() ? "empty cell"
                            : "\"NA\"") + ": a missing value, ";
                }
            }
        }
    }

    @Test
    void withoutFillsAMissingCellIsRefusedWhereItIs(@TempDir Path out) throws IOException {
        Path model = out.resolve("nofill.clprop");
        train(trainFull, null, model);
        assertNull(ModelFile.read(model).fill());
        Path pred = Files.writeString(out.resolve("pred.csv"), "old\n");
        failsCleanly(out, new String[]{"eval", "--model", model.toString(), "--format", "csv", "--data",
                testGaps.toString(), "--label-column", "kind", "--device", "cpu"},
                firstGap(testGaps) + "but model " + model + " has no fill values (it was trained with --missing error)");
        failsCleanly(out, new String[]{"predict", "--model", model.toString(), "--format", "csv", "--input",
                testGaps.toString(), "--label-column", "kind", "--output", pred.toString(), "--device", "cpu"},
                firstGap(testGaps) + "but model " + model + " has no fill values");
        assertEquals("old\n", Files.readString(pred));
        // train without --missing: the default refuses them too.
        failsCleanly(out, new String[]{"train", "--device", "cpu", "--format", "csv", "--data", trainGaps.toString(),
                "--label-column", "kind", "--epochs", "1", "--save", out.resolve("m.clprop").toString()},
                firstGap(trainGaps) + "which --missing error (the default) refuses; train with --missing mean or zero");
    }

    @Test
    void aColumnWithNoValueAtAllHasNoMean(@TempDir Path out) throws IOException {
        // Column c empty or NA in every row, the others complete.
        Path empty = out.resolve("no-c.csv");
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (int i = 0; i < train.size(); i++) {
            sb.append(value(train, i, 0)).append(',').append(value(train, i, 1)).append(',')
                    .append(CLASSES.get(train.labels()[i])).append(',').append(i % 3 == 0 ? "NA" : "").append(',')
                    .append(value(train, i, 3)).append('\n');
        }
        Files.writeString(empty, sb);
        failsCleanly(out, new String[]{"train", "--device", "cpu", "--format", "csv", "--data", empty.toString(),
                "--label-column", "kind", "--epochs", "1", "--missing", "mean", "--save", out.resolve("m.clprop").toString()},
                empty + ": column 4 (\"c\") has no values in the training set (every cell is empty or NA), so "
                        + "--missing mean has no mean to fill it with");
        // zero needs no value to fill with: the column is all zeros, constant.
        Path model = out.resolve("zero.clprop");
        CliTest.Result t = train(empty, null, model, "--missing", "zero");
        assertEquals("missing " + train.size() + " cells filled with 0 (" + empty + ")", line(t, "missing "));
    }

    @Test
    void anEmptyLabelIsStillAnError(@TempDir Path out) throws IOException {
        Path bad = Files.writeString(out.resolve("bad.csv"), HEADER + "\n1,2,ash,3,4\n5,,,7,8\n");
        failsCleanly(out, new String[]{"train", "--device", "cpu", "--format", "csv", "--data", bad.toString(),
                "--label-column", "kind", "--epochs", "1", "--batch", "1", "--missing", "mean"},
                bad + ":3:3: empty label (column \"kind\")");
    }

    @Test
    void badUsesOfMissing(@TempDir Path out) throws IOException {
        failsCleanly(out, new String[]{"train", "--device", "cpu", "--data", out.toString(), "--missing", "mean"},
                "--missing applies to --format csv");
        failsCleanly(out, new String[]{"train", "--device", "cpu", "--format", "csv", "--data", trainGaps.toString(),
                "--label-column", "kind", "--missing", "median"}, "unknown missing-value policy 'median'");
    }
}
