package io.clprop.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import io.clprop.SyntheticData;
import io.clprop.TestDevices;
import io.clprop.data.Dataset;
import io.clprop.model.ModelFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static io.clprop.cli.CliTest.run;
import static io.clprop.cli.ModelCommandsTest.failsCleanly;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A CSV-trained model remembers its feature (column) names, and train's test set, eval and predict match a
 * CSV file's columns to them by name: another order is put right (with the very same results), other names
 * are refused (exit 2, one line naming them, nothing written), a file without a header is taken by position
 * with a warning, and models without names (IDX, header-less CSV, older files) work as before.
 */
class FeatureNamesCliTest {
    static final List<String> CLASSES = List.of("ash", "birch", "cedar");
    static final List<String> FEATURES = List.of("a", "b", "c", "d", "e");
    /** Feature scales far apart, as in CsvTrainCliTest, so that a swapped column changes the outputs. */
    static final float[] SCALE = {1000, 0.001f, 1, 3, -2};

    @TempDir
    static Path dir;
    static Dataset trainSet, testSet;
    static Path trainCsv, testCsv, shuffledCsv, model;

    @BeforeAll
    static void dataAndModel() throws IOException {
        Dataset all = SyntheticData.blobs(500, 5, 3, 0.4, 41);
        trainSet = all.select(java.util.stream.IntStream.range(0, 350).toArray());
        testSet = all.select(java.util.stream.IntStream.range(350, 500).toArray());
        trainCsv = write("train.csv", trainSet, List.of("a", "b", "kind", "c", "d", "e"), true);
        testCsv = write("test.csv", testSet, List.of("a", "b", "kind", "c", "d", "e"), true);
        shuffledCsv = write("shuffled.csv", testSet, List.of("e", "c", "kind", "a", "d", "b"), true);
        model = dir.resolve("trees.clprop");
        train(trainCsv, testCsv, model, null);
    }

    /** The data set as CSV with the given columns ("kind" the label); each cell the same text in every file. */
    static Path write(String name, Dataset d, List<String> columns, boolean header) throws IOException {
        return write(name, d, columns, header ? String.join(",", columns) : null, c -> c);
    }

    /**
     * The data set as CSV: {@code columns} picks the cells ("kind" the label, "id" a row name, a feature
     * name its value), {@code header} is the first line (null: none), {@code rename} maps a column's cells'
     * source name to the feature it takes its values from.
     */
    static Path write(String name, Dataset d, List<String> columns, String header, Function<String, String> source)
            throws IOException {
        StringBuilder sb = new StringBuilder(header == null ? "" : header + "\n");
        for (int i = 0; i < d.size(); i++) {
            List<String> cells = new ArrayList<>();
            for (String c : columns) {
                String s = source.apply(c);
                if (s.equals("kind")) {
                    cells.add(CLASSES.get(d.labels()[i]));
                } else if (s.equals("id")) {
                    cells.add("s" + i);
                } else {
                    int j = FEATURES.indexOf(s);
                    cells.add(Float.toString(d.row(i)[j] * SCALE[j]));
                }
            }
            sb.append(String.join(",", cells)).append('\n');
        }
        return Files.writeString(dir.resolve(name), sb);
    }

    static CliTest.Result train(Path data, Path test, Path save, Path metrics) {
        List<String> args = new ArrayList<>(List.of("train", "--device", "cpu", "--format", "csv", "--data",
                data.toString(), "--test-data", test.toString(), "--label-column", "kind", "--hidden", "8",
                "--epochs", "5", "--batch", "25", "--optimizer", "adam", "--lr", "0.02", "--save", save.toString()));
        if (metrics != null) {
            args.addAll(List.of("--metrics-json", metrics.toString()));
        }
        CliTest.Result r = run(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.out() + r.err());
        return r;
    }

    static CliTest.Result eval(Path m, Path csv, String device, String... options) {
        List<String> args = new ArrayList<>(List.of("eval", "--model", m.toString(), "--format", "csv", "--data",
                csv.toString(), "--device", device));
        args.addAll(List.of(options.length == 0 ? new String[]{"--label-column", "kind"} : options));
        CliTest.Result r = run(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.out() + r.err());
        return r;
    }

    static byte[] predict(Path m, Path csv, String device, Path out, String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("predict", "--model", m.toString(), "--format", "csv", "--input",
                csv.toString(), "--output", out.toString(), "--device", device));
        args.addAll(List.of(options.length == 0 ? new String[]{"--label-column", "kind"} : options));
        CliTest.Result r = run(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.out() + r.err());
        return Files.readAllBytes(out);
    }

    /** eval's report without the lines that name the data file or say how its columns were matched. */
    static List<String> results(CliTest.Result r) {
        return r.out().lines().filter(l -> !l.startsWith("data ") && !l.startsWith("columns ")).toList();
    }

    static final String REORDERED = "columns  reordered to the model's feature order";

    // ---- names stored ---------------------------------------------------------------------------------

    @Test
    void theModelStoresTheTrainingHeadersFeatureNames() {
        ModelFile m = ModelFile.read(model);
        assertEquals(FEATURES, m.featureNames(), "the header's feature columns in order, the label left out");
        assertEquals(CLASSES, m.classNames());
    }

    // ---- another order: the same results --------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl"})
    void shuffledColumnsGiveExactlyTheSameResults(String device, @TempDir Path out) throws IOException {
        if (device.equals("opencl")) {
            TestDevices.openCl().close();
        }
        CliTest.Result original = eval(model, testCsv, device), shuffled = eval(model, shuffledCsv, device);
        assertFalse(original.out().contains("columns "), original.out());
        assertTrue(shuffled.out().lines().anyMatch(REORDERED::equals), shuffled.out());
        assertEquals(results(original), results(shuffled), "the same accuracy, loss and confusion matrix");
        double accuracy = ModelCommandsTest.printedAccuracy(original.out());
        assertTrue(accuracy > 0.6, "a model that has learnt something, so the comparison means something: " + accuracy);
        assertEquals("", original.err() + shuffled.err());

        byte[] p = predict(model, testCsv, device, out.resolve("p.csv"));
        byte[] q = predict(model, shuffledCsv, device, out.resolve("q.csv"));
        assertArrayEquals(p, q, "the same probabilities, to the last digit");

        // The control: the same model without its names takes the shuffled file by position, as before.
        ModelFile m = ModelFile.read(model);
        Path positional = out.resolve("positional.clprop");
        new ModelFile(m.spec(), m.parameters(), m.standardizer(), m.classNames(), m.trained()).write(positional);
        byte[] r = predict(positional, shuffledCsv, device, out.resolve("r.csv"));
        assertFalse(Arrays.equals(p, r), "by position, the shuffled columns would have given other outputs");
        assertArrayEquals(p, predict(positional, testCsv, device, out.resolve("s.csv")), "and the original the same");
    }

    @Test
    void trainReordersAShuffledTestSet(@TempDir Path out) throws IOException {
        Path m1 = out.resolve("1.clprop"), m2 = out.resolve("2.clprop");
        Path j1 = out.resolve("1.json"), j2 = out.resolve("2.json");
        CliTest.Result inOrder = train(trainCsv, testCsv, m1, j1);
        CliTest.Result shuffled = train(trainCsv, shuffledCsv, m2, j2);
        assertFalse(inOrder.out().contains("reordered"), inOrder.out());
        assertTrue(shuffled.out().contains("columns " + shuffledCsv + " reordered to the training set's feature order"),
                shuffled.out());
        JsonArray e1 = JsonParser.parseString(Files.readString(j1)).getAsJsonObject().getAsJsonArray("epochs");
        JsonArray e2 = JsonParser.parseString(Files.readString(j2)).getAsJsonObject().getAsJsonArray("epochs");
        assertEquals(5, e1.size());
        for (int k = 0; k < e1.size(); k++) {
            assertEquals(e1.get(k).getAsJsonObject().get("test_accuracy"), e2.get(k).getAsJsonObject().get("test_accuracy"),
                    "epoch " + (k + 1));
        }
        assertArrayEquals(ModelFile.read(m1).parameters(), ModelFile.read(m2).parameters());
        assertEquals(FEATURES, ModelFile.read(m2).featureNames(), "the training set's order is the model's");
    }

    // ---- other names: refused -------------------------------------------------------------------------

    @Test
    void trainRefusesATestSetWithOtherColumns(@TempDir Path out) throws IOException {
        Path renamed = write("renamed.csv", testSet, List.of("a", "b", "kind", "z", "d", "e"),
                "a,b,kind,z,d,e", c -> c.equals("z") ? "c" : c);
        Path fewer = write("fewer.csv", testSet, List.of("a", "b", "kind", "c", "e"), true);
        for (Path bad : List.of(renamed, fewer)) {
            failsCleanly(out, new String[]{"train", "--device", "cpu", "--format", "csv", "--data", trainCsv.toString(),
                    "--test-data", bad.toString(), "--label-column", "kind", "--epochs", "1", "--batch", "25",
                    "--save", out.resolve("m.clprop").toString(), "--metrics-json", out.resolve("m.json").toString()},
                    bad + ": the columns do not match the features of the training set " + trainCsv + ": ",
                    bad == renamed ? "missing \"c\"; unknown \"z\"" : "missing \"d\"");
        }
    }

    @Test
    void evalAndPredictRefuseColumnsThatAreNotTheModels(@TempDir Path out) throws IOException {
        Path renamed = write("renamed.csv", testSet, List.of("a", "b", "kind", "z", "d", "e"),
                "a,b,kind,z,d,e", c -> c.equals("z") ? "c" : c);
        Path fewer = write("fewer.csv", testSet, List.of("a", "b", "kind", "c", "e"), true);
        // A row name column, not numbers: refused by its name before its cells are read.
        Path withId = write("with-id.csv", testSet, List.of("id", "a", "b", "kind", "c", "d", "e"), true);
        Path pred = Files.writeString(out.resolve("pred.csv"), "old\n");
        Map<Path, String> expected = Map.of(renamed, "missing \"c\"; unknown \"z\" (leave the columns that are not "
                + "features of the model out with --ignore-columns, or copy them to predict's output with "
                + "--keep-columns; a label column is named with --label-column)", fewer, "missing \"d\"",
                withId, ": unknown \"id\" (leave the columns that are not features of the model out with --ignore-columns");
        for (var bad : expected.entrySet()) {
            String f = bad.getKey().toString();
            String head = f + ": the columns do not match the features of model " + model + ": ";
            failsCleanly(out, new String[]{"eval", "--model", model.toString(), "--format", "csv", "--data", f,
                    "--label-column", "kind", "--device", "cpu", "--json", out.resolve("e.json").toString()},
                    head, bad.getValue());
            failsCleanly(out, new String[]{"predict", "--model", model.toString(), "--format", "csv", "--input", f,
                    "--label-column", "kind", "--output", pred.toString(), "--device", "cpu"}, head, bad.getValue());
            assertEquals("old\n", Files.readString(pred), "an existing output is left as it was");
        }
        // predict without --label-column: the label column is not a feature of the model either.
        failsCleanly(out, new String[]{"predict", "--model", model.toString(), "--format", "csv", "--input",
                testCsv.toString(), "--output", pred.toString(), "--device", "cpu"}, "unknown \"kind\"",
                "a label column is named with --label-column");
    }

    @Test
    void trainingHeaderNamesMustBeDistinctAndPresent(@TempDir Path out) throws IOException {
        Path twice = write("twice.csv", trainSet, List.of("a", "b", "kind", "c", "d", "e"), "a,b,kind,c,a,e", c -> c);
        Path unnamed = write("unnamed.csv", trainSet, List.of("a", "b", "kind", "c", "d", "e"), "a,,kind,c,d,e", c -> c);
        failsCleanly(out, new String[]{"train", "--device", "cpu", "--format", "csv", "--data", twice.toString(),
                "--label-column", "kind", "--epochs", "1", "--save", out.resolve("m.clprop").toString()},
                twice + ":1:5: column name \"a\" appears twice in the header (columns 1 and 5)");
        failsCleanly(out, new String[]{"train", "--device", "cpu", "--format", "csv", "--data", unnamed.toString(),
                "--label-column", "kind", "--epochs", "1", "--save", out.resolve("m.clprop").toString()},
                unnamed + ":1:2: a feature column without a name in the header");
    }

    // ---- no names to check ----------------------------------------------------------------------------

    @Test
    void aFileWithoutHeaderIsTakenByPositionWithAWarning(@TempDir Path out) throws IOException {
        Path bare = write("bare.csv", testSet, List.of("a", "b", "kind", "c", "d", "e"), false);
        CliTest.Result named = eval(model, testCsv, "cpu");
        CliTest.Result r = eval(model, bare, "cpu", "--no-header", "--label-column", "2");
        assertEquals(results(named), results(r), "by position: the same columns, the same results");
        String warning = "clprop: warning: " + bare + " has no header, so its columns are taken in the model's "
                + "feature order without checking their names";
        assertEquals(warning, r.err().strip());
        byte[] p = predict(model, testCsv, "cpu", out.resolve("p.csv"));
        CliTest.Result pr = run("predict", "--model", model.toString(), "--format", "csv", "--input", bare.toString(),
                "--no-header", "--label-column", "2", "--output", out.resolve("q.csv").toString(), "--device", "cpu");
        assertEquals(0, pr.status(), pr.err());
        assertEquals(warning, pr.err().strip());
        assertArrayEquals(p, Files.readAllBytes(out.resolve("q.csv")));

        // train: a test set without a header is taken by position too, with the same kind of warning (the label
        // by index, so that the header is detected in each file: a label named forces one).
        Path m1 = out.resolve("1.clprop"), m2 = out.resolve("2.clprop");
        CliTest.Result t = run("train", "--device", "cpu", "--format", "csv", "--data", trainCsv.toString(),
                "--test-data", bare.toString(), "--label-column", "2", "--epochs", "1", "--batch", "25", "--save",
                m1.toString());
        assertEquals(0, t.status(), t.err());
        assertEquals("clprop: warning: " + bare + " has no header, so its columns are taken in the training set's "
                + "order without checking their names", t.err().strip());
        CliTest.Result withHeader = run("train", "--device", "cpu", "--format", "csv", "--data", trainCsv.toString(),
                "--test-data", testCsv.toString(), "--label-column", "2", "--epochs", "1", "--batch", "25", "--save",
                m2.toString());
        assertEquals("", withHeader.err());
        assertEquals(testAccuracyLine(withHeader), testAccuracyLine(t));
        assertEquals(FEATURES, ModelFile.read(m1).featureNames(), "the training set's names are stored all the same");
    }

    static String testAccuracyLine(CliTest.Result r) {
        return r.out().lines().filter(l -> l.startsWith("test accuracy ")).findFirst().orElseThrow();
    }

    @Test
    void modelsWithoutNamesWorkAsBefore(@TempDir Path out) throws IOException {
        // A header-less training CSV: no names stored; a file with a header is then taken by position, silently.
        Path bareTrain = write("bare-train.csv", trainSet, List.of("a", "b", "kind", "c", "d", "e"), false);
        Path bareTest = write("bare-test.csv", testSet, List.of("a", "b", "kind", "c", "d", "e"), false);
        Path m = out.resolve("bare.clprop");
        CliTest.Result t = run("train", "--device", "cpu", "--format", "csv", "--data", bareTrain.toString(),
                "--test-data", testCsv.toString(), "--label-column", "2", "--hidden", "8", "--epochs", "3",
                "--batch", "25", "--optimizer", "adam", "--lr", "0.01", "--save", m.toString());
        assertEquals(0, t.status(), t.err());
        assertEquals("", t.err(), "nothing to check against: no warning");
        assertTrue(ModelFile.read(m).featureNames().isEmpty());
        assertFalse(ModelFile.container(m).header().has("features"));
        CliTest.Result byPosition = eval(m, shuffledCsv, "cpu", "--label-column", "kind");
        CliTest.Result inOrder = eval(m, bareTest, "cpu", "--label-column", "2");
        assertEquals("", byPosition.err() + inOrder.err());
        assertFalse(byPosition.out().contains("columns "), byPosition.out());
        assertNotEquals(results(inOrder), results(byPosition), "no names: the shuffled columns are taken as they stand");

        // An IDX-trained model: no names, and eval and predict on IDX data as before.
        Dataset blobs = SyntheticData.blobs(400, 12, 10, 0.08, 22);
        Path idx = ModelCommandsTest.writeIdxFolder(out.resolve("idx"), blobs, 300);
        Path im = out.resolve("idx.clprop");
        CliTest.Result it = run("train", "--device", "cpu", "--data", idx.toString(), "--hidden", "8", "--epochs", "1",
                "--batch", "25", "--save", im.toString());
        assertEquals(0, it.status(), it.err());
        assertTrue(ModelFile.read(im).featureNames().isEmpty());
        assertFalse(ModelFile.container(im).header().has("features"));
        CliTest.Result ie = run("eval", "--model", im.toString(), "--data", idx.toString(), "--device", "cpu");
        assertEquals(0, ie.status(), ie.err());
        assertEquals("", ie.err());
        assertFalse(ie.out().contains("columns "), ie.out());
        CliTest.Result ip = run("predict", "--model", im.toString(), "--input",
                idx.resolve("t10k-images-idx3-ubyte").toString(), "--output", out.resolve("ip.csv").toString(),
                "--device", "cpu");
        assertEquals(0, ip.status(), ip.err());
        assertEquals(101, Files.readAllLines(out.resolve("ip.csv")).size());
    }
}
