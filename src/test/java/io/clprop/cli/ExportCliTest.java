package io.clprop.cli;

import io.clprop.SyntheticData;
import io.clprop.data.Dataset;
import io.clprop.model.ModelFile;
import io.clprop.model.onnx.OnnxExport;
import io.clprop.model.onnx.OnnxRuntimeRun;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.clprop.cli.CliTest.run;
import static io.clprop.cli.ModelCommandsTest.failsCleanly;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `clprop export --format onnx` as a user runs it: the file it writes, run by ONNX Runtime on the raw samples
 * of a CSV file (NaN where a cell is empty or NA) and of an IDX file (its bytes / 255), gives what
 * `clprop predict` prints for the same files; each mistake is one line, exit 2, nothing written.
 *
 * <p>Tolerance 1e-5, as in {@code OnnxExportTest} (float32 on both sides, other summation orders); predict
 * prints each output as the shortest decimal of its float, so the comparison is with predict's floats.
 */
class ExportCliTest {
    static final double TOLERANCE = 1e-5;
    static final List<String> CLASSES = List.of("ash", "birch", "cedar");

    @TempDir
    static Path dir;
    static Path trainCsv, testCsv, csvModel, idxDir, idxModel;
    static Dataset test;

    /** Row i's feature j is missing: about one cell in nine, empty or NA in turn. */
    static boolean gap(int i, int j) {
        return (i * 5 + j * 3) % 9 == 0;
    }

    /** A CSV file of {@code d}'s rows: features a, b, the label, c, d on different scales; gaps when asked. */
    static Path csv(String name, Dataset d, boolean gaps) throws IOException {
        StringBuilder sb = new StringBuilder("a,b,kind,c,d\n");
        float[] scale = {1000, 0.01f, 1, -30};
        for (int i = 0; i < d.size(); i++) {
            List<String> cells = new ArrayList<>();
            for (int j = 0; j < 4; j++) {
                cells.add(gaps && gap(i, j) ? (i % 2 == 0 ? "" : "NA") : Float.toString(d.row(i)[j] * scale[j] + 7 * j));
                if (j == 1) {
                    cells.add(CLASSES.get(d.labels()[i]));
                }
            }
            sb.append(String.join(",", cells)).append('\n');
        }
        return Files.writeString(dir.resolve(name), sb);
    }

    @BeforeAll
    static void trainModels() throws IOException {
        Dataset all = SyntheticData.blobs(400, 4, 3, 0.3, 61);
        trainCsv = csv("train.csv", all.head(300), true);
        test = all.select(java.util.stream.IntStream.range(300, 400).toArray());
        testCsv = csv("test.csv", test, true);
        csvModel = dir.resolve("csv.clprop");
        CliTest.Result r = run("train", "--device", "cpu", "--format", "csv", "--data", trainCsv.toString(),
                "--label-column", "kind", "--missing", "mean", "--hidden", "8", "--activation", "elu", "--epochs", "3",
                "--batch", "25", "--optimizer", "adam", "--lr", "0.02", "--save", csvModel.toString());
        assertEquals(0, r.status(), r.out() + r.err());

        // IDX images of 3×4 pixels, 10 classes, and a convolutional network on them.
        Dataset blobs = SyntheticData.blobs(500, 12, 10, 0.08, 62);
        idxDir = ModelCommandsTest.writeIdxFolder(dir.resolve("idx"), blobs, 400);
        idxModel = dir.resolve("idx.clprop");
        r = run("train", "--device", "cpu", "--data", idxDir.toString(), "--layers",
                "conv:4:3:pad1,relu,maxpool:2,flatten,dense:10", "--epochs", "2", "--batch", "20", "--lr", "0.3",
                "--save", idxModel.toString());
        assertEquals(0, r.status(), r.out() + r.err());
    }

    /** predict's outputs (every column after "predicted"), row-major. */
    static float[] predicted(Path predictions) throws IOException {
        List<String> lines = Files.readAllLines(predictions);
        int columns = lines.get(0).split(",").length - 1;
        float[] out = new float[(lines.size() - 1) * columns];
        for (int i = 1; i < lines.size(); i++) {
            String[] cells = lines.get(i).split(",");
            for (int k = 0; k < columns; k++) {
                out[(i - 1) * columns + k] = Float.parseFloat(cells[k + 1]);
            }
        }
        return out;
    }

    /** The CSV file's features as written, NaN for an empty or NA cell: what predict reads. */
    static float[] rawFeatures(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        float[] x = new float[(lines.size() - 1) * 4];
        for (int i = 1; i < lines.size(); i++) {
            String[] cells = lines.get(i).split(",", -1);
            int j = 0;
            for (int c = 0; c < cells.length; c++) {
                if (c != 2) {
                    x[(i - 1) * 4 + j++] = cells[c].isEmpty() || cells[c].equals("NA") ? Float.NaN
                            : Float.parseFloat(cells[c]);
                }
            }
        }
        return x;
    }

    static double maxDifference(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    static Path export(Path model, Path out) {
        Path onnx = out.resolve("model.onnx");
        CliTest.Result r = run("export", "--model", model.toString(), "--format", "onnx", "--output", onnx.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("written  " + onnx + " (ONNX model, opset 13, "), r.out());
        return onnx;
    }

    @Test
    void aCsvModelWithGapsGivesWhatPredictPrints(@TempDir Path out) throws Exception {
        ModelFile m = ModelFile.read(csvModel);
        assertTrue(m.fill() != null && m.standardizer() != null, "fill and standardisation, both in the graph");
        Path onnx = export(csvModel, out);
        assertEquals(List.of(onnx), List.copyOf(ModelCommandsTest.list(out)), "the file and nothing else");
        Path p = out.resolve("p.csv");
        CliTest.Result r = run("predict", "--model", csvModel.toString(), "--format", "csv", "--input",
                testCsv.toString(), "--label-column", "kind", "--output", p.toString(), "--device", "cpu");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("cells filled"), r.out());
        float[] raw = rawFeatures(testCsv);
        assertTrue(Float.isNaN(raw[0]), "row 0's first cell is a gap");
        byte[] bytes = Files.readAllBytes(onnx);
        float[] ort = OnnxRuntimeRun.outputs(bytes, raw, new long[]{test.size(), 4});
        double max = maxDifference(predicted(p), ort);
        System.out.printf("export csv: largest |ONNX Runtime − predict| %.3g%n", max);
        assertTrue(max <= TOLERANCE, "ONNX Runtime and predict differ by " + max);
        OnnxRuntimeRun.Signature s = OnnxRuntimeRun.signature(bytes);
        assertEquals("[\"ash\",\"birch\",\"cedar\"]", s.metadata().get(OnnxExport.META_CLASSES));
        assertEquals("[\"a\",\"b\",\"c\",\"d\"]", s.metadata().get(OnnxExport.META_FEATURES));
    }

    @Test
    void anIdxModelTakesPixelsScaledToOne(@TempDir Path out) throws Exception {
        Path onnx = export(idxModel, out);
        Path images = idxDir.resolve("t10k-images-idx3-ubyte"), p = out.resolve("p.csv");
        CliTest.Result r = run("predict", "--model", idxModel.toString(), "--input", images.toString(), "--output",
                p.toString(), "--device", "cpu");
        assertEquals(0, r.status(), r.out() + r.err());
        byte[] file = Files.readAllBytes(images);
        float[] x = new float[file.length - 16];
        for (int i = 0; i < x.length; i++) {
            x[i] = (file[16 + i] & 0xFF) / 255f;
        }
        float[] ort = OnnxRuntimeRun.outputs(Files.readAllBytes(onnx), x, new long[]{100, 1, 3, 4});
        double max = maxDifference(predicted(p), ort);
        System.out.printf("export idx cnn: largest |ONNX Runtime − predict| %.3g%n", max);
        assertTrue(max <= TOLERANCE, "ONNX Runtime and predict differ by " + max);
    }

    @Test
    void mistakesAreOneLineAndWriteNothing(@TempDir Path out) throws IOException {
        String o = out.resolve("m.onnx").toString();
        failsCleanly(out, new String[]{"export", "--model", out.resolve("none.clprop").toString(), "--format", "onnx",
                "--output", o}, "none.clprop: file not found");
        failsCleanly(out, new String[]{"export", "--model", testCsv.toString(), "--format", "onnx", "--output", o},
                testCsv + ": not a clprop model file");
        byte[] bytes = Files.readAllBytes(csvModel);
        bytes[bytes.length - 20] ^= 1;
        Path corrupt = Files.write(dir.resolve("corrupt.clprop"), bytes);
        failsCleanly(out, new String[]{"export", "--model", corrupt.toString(), "--format", "onnx", "--output", o},
                corrupt + ": corrupted: CRC32 mismatch");
        failsCleanly(out, new String[]{"export", "--model", csvModel.toString(), "--format", "tflite", "--output", o},
                "clprop export: ", "unknown format 'tflite' (expected onnx");
        failsCleanly(out, new String[]{"export", "--model", csvModel.toString(), "--output", o},
                "Missing required option: '--format=FORMAT'");
        failsCleanly(out, new String[]{"export", "--model", csvModel.toString(), "--format", "onnx", "--output",
                out.resolve("no/such/dir.onnx").toString()}, "--output", "does not exist");
        Path folder = Files.createDirectory(out.resolve("folder"));
        failsCleanly(out, new String[]{"export", "--model", csvModel.toString(), "--format", "onnx", "--output",
                folder.toString()}, "--output " + folder + ": is a folder");
    }

    @Test
    void aFailedExportLeavesAnExistingOutputAlone(@TempDir Path out) throws IOException {
        Path old = Files.writeString(out.resolve("m.onnx"), "old");
        failsCleanly(out, new String[]{"export", "--model", testCsv.toString(), "--format", "onnx", "--output",
                old.toString()}, "not a clprop model file");
        assertArrayEquals("old".getBytes(), Files.readAllBytes(old));
    }

    @Test
    void helpAndTheCommandList() {
        CliTest.Result help = run("export", "--help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("--format=FORMAT") && help.out().contains("The format to write: onnx"),
                help.out());
        CliTest.Result none = run();
        assertTrue(none.err().contains("predict, export, verify"), none.err());
    }
}
