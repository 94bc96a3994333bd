package io.clprop.cli;

import io.clprop.SyntheticData;
import io.clprop.TestDevices;
import io.clprop.data.Dataset;
import io.clprop.model.ModelFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static io.clprop.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CSV data from training to prediction through the CLI: `train --format csv` standardises the features with
 * the training set's mean and std and stores them, with the class names, in the model; `eval` and `predict`
 * apply the same. And broken CSV files given to `train`: one line naming file, line and column, status 2,
 * nothing written.
 */
class CsvTrainCliTest {
    static final List<String> NAMES = List.of("ash", "birch", "cedar");
    @TempDir
    static Path dir;
    static Path trainCsv, testCsv;

    @BeforeAll
    static void data() throws IOException {
        // Features on very different scales (×1000 and ×0.001), which standardisation must even out.
        Dataset all = SyntheticData.blobs(800, 5, 3, 0.3, 31);
        int[] first = java.util.stream.IntStream.range(0, 600).toArray();
        int[] rest = java.util.stream.IntStream.range(600, 800).toArray();
        trainCsv = write("train.csv", all.select(first));
        testCsv = write("test.csv", all.select(rest));
    }

    static Path write(String name, Dataset d) throws IOException {
        StringBuilder sb = new StringBuilder("a,b,kind,c,d,e\n");
        for (int i = 0; i < d.size(); i++) {
            float[] x = d.row(i);
            sb.append(x[0] * 1000).append(',').append(x[1] * 0.001f).append(',').append(NAMES.get(d.labels()[i]));
            for (int j = 2; j < 5; j++) {
                sb.append(',').append(x[j]);
            }
            sb.append('\n');
        }
        return Files.writeString(dir.resolve(name), sb);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl"})
    void trainSaveEvalPredict(String device, @TempDir Path out) throws IOException {
        if (device.equals("opencl")) {
            TestDevices.openCl().close();
        }
        Path model = out.resolve("trees.model"), probs = out.resolve("probs.csv");
        CliTest.Result r = run("train", "--device", device, "--format", "csv", "--data", trainCsv.toString(),
                "--test-data", testCsv.toString(), "--label-column", "kind", "--hidden", "16", "--epochs", "10",
                "--batch", "20", "--optimizer", "adam", "--lr", "0.01", "--save", model.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("600 train, 200 test samples, standardised"), r.out());
        double trained = Double.parseDouble(r.out().lines().filter(l -> l.startsWith("test accuracy ")).findFirst()
                .orElseThrow().substring(14));
        assertTrue(trained > 0.8, "standardised blobs are easy: " + trained);

        ModelFile m = ModelFile.read(model);
        assertEquals(NAMES, m.classNames());
        assertEquals(List.of("a", "b", "c", "d", "e"), m.featureNames(), "the header's features, the label left out");
        assertNotNull(m.standardizer());
        assertEquals(1000, m.standardizer().std()[0] / m.standardizer().std()[2], 500, "scales measured on the data");

        CliTest.Result e = run("eval", "--model", model.toString(), "--format", "csv", "--data", testCsv.toString(),
                "--label-column", "kind", "--device", device);
        assertEquals(0, e.status(), e.err());
        assertTrue(e.out().contains(String.format(java.util.Locale.ROOT, "%.4f", trained)), "eval agrees with train: "
                + e.out() + " vs " + trained);

        CliTest.Result p = run("predict", "--model", model.toString(), "--format", "csv", "--input",
                testCsv.toString(), "--label-column", "kind", "--output", probs.toString(), "--device", device);
        assertEquals(0, p.status(), p.err());
        List<String> lines = Files.readAllLines(probs);
        assertEquals(201, lines.size());
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",");
            assertTrue(NAMES.contains(cells[0]), line);
            double sum = 0;
            for (int k = 1; k < cells.length; k++) {
                sum += Double.parseDouble(cells[k]);
            }
            assertEquals(1.0, sum, 1e-5, "probabilities sum to one: " + line);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "a,b,kind\\n1,2,ash\\n3,ash\\n | train.csv:3:3: | row has 2 cells, expected 3",
            "a,b,kind\\n1,2,ash\\n3,x4,ash\\n | train.csv:3:2: | \"x4\" is not a number",
            "a,b,kind\\n1,NaN,ash\\n3,4,ash\\n | train.csv:2:2: | NaN and infinite features are not allowed",
            "a,b,kind\\n1,Infinity,ash\\n3,4,ash\\n | train.csv:2:2: | NaN and infinite features are not allowed",
            "a,b,type\\n1,2,ash\\n3,4,ash\\n | train.csv | --label-column kind: no such column",
            "'' | train.csv | empty"})
    void brokenCsvIsRefused(String content, String where, String what, @TempDir Path out) throws IOException {
        Path csv = Files.writeString(out.resolve("train.csv"), content.replace("\\n", "\n"));
        Path json = out.resolve("m.json"), model = out.resolve("m.model");
        CliTest.Result r = run("train", "--device", "cpu", "--format", "csv", "--data", csv.toString(),
                "--label-column", "kind", "--batch", "1", "--epochs", "1", "--metrics-json", json.toString(),
                "--save", model.toString());
        assertEquals(2, r.status(), r.out() + r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains("train.csv") && err.contains(where) && err.toLowerCase().contains(what.toLowerCase()),
                "expected '" + where + "' and '" + what + "' in: " + err);
        assertFalse(err.contains("\tat "), err);
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(1, files.count(), "nothing but the CSV");
        }
    }
}
