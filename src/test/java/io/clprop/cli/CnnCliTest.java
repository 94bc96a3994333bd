package io.clprop.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.clprop.SyntheticData;
import io.clprop.TestDevices;
import io.clprop.data.Dataset;
import io.clprop.data.IdxFiles;
import io.clprop.data.MnistFolder;
import io.clprop.util.ImageShape;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static io.clprop.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A convolutional network from the command line: train --layers on tiny IDX images and on CSV data with
 * --input-shape, --save, then eval and predict on the saved model, which agree with each other; the shadow
 * check of such a run on the device; and the mistakes a user can make with --layers, --input-shape and
 * images of another shape, each refused with exit 2 and one line naming what is wrong.
 */
class CnnCliTest {
    static final String LAYERS = "conv:3:3:pad1,relu,maxpool:2,conv:5:3:stride2:pad1,relu,flatten,dense:10";
    static final int TRAIN_N = 400, TEST_N = 200;

    @TempDir
    static Path data;
    static Path idx, idxModel, trainCsv, testCsv, csvModel;
    static int[] testLabels;

    @BeforeAll
    static void dataAndModels() throws IOException {
        // 10 classes of 8×8 "images" with pixel values in [0, 1]: a CNN learns them in a few epochs.
        Dataset blobs = SyntheticData.blobs(TRAIN_N + TEST_N, 64, 10, 0.1, 31);
        byte[] pixels = ModelCommandsTest.pixelBytes(blobs);
        idx = Files.createDirectories(data.resolve("idx"));
        writeIdx(idx, 8, 8, pixels, blobs.labels());
        testLabels = Arrays.copyOfRange(blobs.labels(), TRAIN_N, TRAIN_N + TEST_N);
        idxModel = data.resolve("idx.clprop");
        CliTest.Result r = run("train", "--device", "cpu", "--data", idx.toString(), "--layers", LAYERS, "--epochs", "3",
                "--batch", "20", "--lr", "0.1", "--save", idxModel.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("1×8×8 conv:3:3:pad1,relu,maxpool:2,conv:5:3:stride2:pad1,relu,flatten,dense:10"),
                r.out());

        // The same samples as CSV of 2×4×8 images (64 columns), the label last.
        trainCsv = writeCsv("train.csv", blobs, 0, TRAIN_N);
        testCsv = writeCsv("test.csv", blobs, TRAIN_N, TRAIN_N + TEST_N);
        csvModel = data.resolve("csv.clprop");
        r = run("train", "--device", "cpu", "--format", "csv", "--data", trainCsv.toString(), "--test-data",
                testCsv.toString(), "--input-shape", "2x4x8", "--layers", "conv:3:3:pad1,relu,maxpool:2,flatten,dense:10",
                "--epochs", "3", "--batch", "20", "--save", csvModel.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("2×4×8 conv:3:3:pad1,relu,maxpool:2,flatten,dense:10"), r.out());
    }

    /** An MNIST folder of {@code rows × cols} images: the first TRAIN_N for training, the rest for testing. */
    static void writeIdx(Path dir, int rows, int cols, byte[] pixels, int[] labels) {
        int n = labels.length, px = rows * cols;
        byte[] l = new byte[n];
        for (int i = 0; i < n; i++) {
            l[i] = (byte) labels[i];
        }
        int t = Math.min(TRAIN_N, n * 2 / 3);
        IdxFiles.write(dir, MnistFolder.TRAIN_IMAGES, false, IdxFiles.images(t, rows, cols, Arrays.copyOf(pixels, t * px)));
        IdxFiles.write(dir, MnistFolder.TRAIN_LABELS, false, IdxFiles.labels(Arrays.copyOf(l, t)));
        IdxFiles.write(dir, MnistFolder.TEST_IMAGES, false,
                IdxFiles.images(n - t, rows, cols, Arrays.copyOfRange(pixels, t * px, n * px)));
        IdxFiles.write(dir, MnistFolder.TEST_LABELS, false, IdxFiles.labels(Arrays.copyOfRange(l, t, n)));
    }

    static Path writeCsv(String name, Dataset d, int from, int to) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < d.featureCount(); j++) {
            sb.append('p').append(j).append(',');
        }
        sb.append("y\n");
        for (int i = from; i < to; i++) {
            for (int j = 0; j < d.featureCount(); j++) {
                sb.append(d.features()[i * d.featureCount() + j]).append(',');
            }
            sb.append(d.labels()[i]).append('\n');
        }
        return Files.writeString(data.resolve(name), sb);
    }

    static double printedAccuracy(String out) {
        return Double.parseDouble(out.lines().filter(l -> l.startsWith("accuracy ")).findFirst().orElseThrow()
                .substring(9).trim());
    }

    /** The accuracy of predict's classes (its CSV's first column) against {@code truth}. */
    static double predictedAccuracy(Path csv, int[] truth) throws IOException {
        List<String> lines = Files.readAllLines(csv);
        assertEquals(truth.length + 1, lines.size());
        assertTrue(lines.get(0).startsWith("predicted,p_0,"), lines.get(0));
        int correct = 0;
        for (int i = 0; i < truth.length; i++) {
            String[] cells = lines.get(i + 1).split(",");
            assertEquals(11, cells.length);
            double sum = Arrays.stream(cells).skip(1).mapToDouble(Double::parseDouble).sum();
            assertEquals(1, sum, 1e-5, "probabilities sum to 1");
            correct += Integer.parseInt(cells[0]) == truth[i] ? 1 : 0;
        }
        return (double) correct / truth.length;
    }

    // ---- train, eval, predict -------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl"})
    void evalAndPredictOfAnIdxModelAgree(String device, @TempDir Path out) throws IOException {
        if (device.equals("opencl")) {
            TestDevices.openCl().close();
        }
        CliTest.Result e = run("eval", "--device", device, "--model", idxModel.toString(), "--data", idx.toString());
        assertEquals(0, e.status(), e.err());
        assertTrue(e.out().contains("1×8×8 conv:3:3:pad1"), e.out());
        double acc = printedAccuracy(e.out());
        assertTrue(acc > 0.5, "a CNN learns 10 blobs of 8×8 in 3 epochs: " + acc);
        Path csv = out.resolve("pred.csv");
        CliTest.Result p = run("predict", "--device", device, "--model", idxModel.toString(), "--input",
                idx.resolve(MnistFolder.TEST_IMAGES).toString(), "--output", csv.toString());
        assertEquals(0, p.status(), p.err());
        assertEquals(String.format(Locale.ROOT, "%.4f", acc),
                String.format(Locale.ROOT, "%.4f", predictedAccuracy(csv, testLabels)), "predict's classes give eval's accuracy");
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl"})
    void evalAndPredictOfACsvModelAgree(String device, @TempDir Path out) throws IOException {
        if (device.equals("opencl")) {
            TestDevices.openCl().close();
        }
        for (String[] shape : new String[][]{{"--input-shape", "2x4x8"}, {}}) { // without: the model's shape
            String[] args = concat(new String[]{"eval", "--device", device, "--model", csvModel.toString(), "--format",
                    "csv", "--data", testCsv.toString()}, shape);
            CliTest.Result e = run(args);
            assertEquals(0, e.status(), e.err());
            double acc = printedAccuracy(e.out());
            assertTrue(acc > 0.5, "accuracy " + acc);
            Path csv = out.resolve("pred.csv");
            CliTest.Result p = run(concat(new String[]{"predict", "--device", device, "--model", csvModel.toString(),
                    "--format", "csv", "--input", testCsv.toString(), "--label-column", "y", "--output", csv.toString()},
                    shape));
            assertEquals(0, p.status(), p.err());
            assertEquals(String.format(Locale.ROOT, "%.4f", acc),
                    String.format(Locale.ROOT, "%.4f", predictedAccuracy(csv, testLabels)), Arrays.toString(shape));
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /**
     * train --checkpoint for 2 epochs, then --resume to 3, writes the very model file (byte for byte) of a run of
     * 3 epochs never interrupted.
     */
    @Test
    void aResumedCnnRunSavesTheUninterruptedModel(@TempDir Path dir) throws IOException {
        String layers = "conv:3:3:pad1,relu,maxpool:2,conv:5:2:stride2,relu,flatten,dense:10";
        Path ckpt = dir.resolve("run.ckpt"), resumed = dir.resolve("resumed.clprop"), whole = dir.resolve("whole.clprop");
        String[] common = {"train", "--device", "cpu", "--data", idx.toString(), "--layers", layers, "--batch", "40",
                "--optimizer", "adam", "--lr", "0.01", "--dropout", "0.1"};
        assertEquals(0, run(concat(common, new String[]{"--epochs", "2", "--checkpoint", ckpt.toString()})).status());
        CliTest.Result r = run(concat(common, new String[]{"--epochs", "3", "--resume", ckpt.toString(), "--save",
                resumed.toString()}));
        assertEquals(0, r.status(), r.err());
        assertFalse(r.out().contains("epoch   2"), "epochs 1 and 2 are not run again: " + r.out());
        assertEquals(0, run(concat(common, new String[]{"--epochs", "3", "--save", whole.toString()})).status());
        assertTrue(Arrays.equals(Files.readAllBytes(whole), Files.readAllBytes(resumed)), "the same model file");
    }

    // ---- shadow check ---------------------------------------------------------------------------------

    /** Every 4th step replayed on the CPU path: passes, and reports its largest difference (printed). */
    @Test
    void shadowCheckOfACnnOnTheDevicePasses(@TempDir Path dir) throws IOException {
        TestDevices.openCl().close();
        Path json = dir.resolve("m.json");
        CliTest.Result r = run("train", "--device", "opencl", "--data", idx.toString(), "--layers", LAYERS, "--epochs", "2",
                "--batch", "20", "--check-every", "4", "--dropout", "0.2", "--optimizer", "adam", "--lr", "0.01",
                "--metrics-json", json.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("check 5 steps max_rel"), r.out()); // 20 steps per epoch, every 4th
        JsonObject check = JsonParser.parseString(Files.readString(json)).getAsJsonObject().getAsJsonObject("check");
        assertEquals(10, check.get("steps").getAsInt());
        double maxRel = check.get("max_rel").getAsDouble(), tolerance = check.get("tolerance").getAsDouble();
        System.out.printf("cnn shadow check: %d steps, max_rel %.3e, tolerance %.3e%n", check.get("steps").getAsInt(),
                maxRel, tolerance);
        assertTrue(maxRel > 0 && maxRel < tolerance, "max_rel " + maxRel + " tolerance " + tolerance);
    }

    // ---- mistakes -------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "conv:3:3,relu,maxpol:2,flatten,dense:10|--layers item 3 \"maxpol:2\"",
            "conv:3:0,flatten,dense:10|--layers item 1 \"conv:3:0\"",
            "conv:0:3,flatten,dense:10|--layers item 1 \"conv:0:3\"",
            "conv:3:9,flatten,dense:10|--layers item 1 \"conv:3:9\"",
            "maxpool:2:pad2,flatten,dense:10|--layers item 1 \"maxpool:2:pad2\"",
            "conv:3:3,relu,flatten,dense:7,maxpool:2,dense:10|--layers item 5 \"maxpool:2\"",
            "conv:3:3,relu,dense:10|--layers item 3 \"dense:10\"",
            "conv:3:3,relu,flatten,dense:7|--layers item 4 \"dense:7\"",
            "conv:3:3,relu|--layers item",
            "conv:3:3,,flatten,dense:10|--layers item 2",
            "conv:3:3:stride0,flatten,dense:10|--layers item 1 \"conv:3:3:stride0\"",
            "conv:3:3,flatten,dense:10,relu|--layers item 3 \"dense:10\" is the output layer, whose activation the loss sets"})
    void badLayersAreRefusedNamingTheItem(String layers, String expected, @TempDir Path out) {
        CliTest.Result r = run("train", "--device", "cpu", "--data", idx.toString(), "--layers", layers, "--epochs", "1",
                "--batch", "20", "--save", out.resolve("m.clprop").toString());
        String err = BadInput.assertRejected(r, out, expected);
        assertTrue(err.startsWith("clprop: error: --layers"), err);
        System.out.println("--layers " + layers + " → " + err);
    }

    @Test
    void layersWithHiddenAreRefused(@TempDir Path out) {
        CliTest.Result r = run("train", "--device", "cpu", "--data", idx.toString(), "--layers", LAYERS, "--hidden", "16",
                "--epochs", "1", "--save", out.resolve("m.clprop").toString());
        BadInput.assertRejected(r, out, "--layers", "--hidden");
    }

    @Test
    void aConvNetworkOnCsvDataNeedsAnInputShape(@TempDir Path out) {
        CliTest.Result r = run("train", "--device", "cpu", "--format", "csv", "--data", trainCsv.toString(), "--layers",
                "conv:3:3,relu,flatten,dense:10", "--epochs", "1", "--save", out.resolve("m.clprop").toString());
        BadInput.assertRejected(r, out, "--layers item 1 \"conv:3:3\"", "--input-shape");
        // A dense network on the same data needs none.
        r = run("train", "--device", "cpu", "--format", "csv", "--data", trainCsv.toString(), "--layers",
                "dense:5,relu,dense:10", "--epochs", "1", "--batch", "50");
        assertEquals(0, r.status(), r.err());
    }

    /**
     * Images of another size, and of the same size in another shape (4×16 for a model of 8×8: a convolution
     * would slide over meaningless windows), are refused with both shapes named, by eval and by predict.
     */
    @ParameterizedTest
    @CsvSource({"6, 6", "4, 16"})
    void evalAndPredictRefuseImagesOfAnotherShape(int rows, int cols, @TempDir Path out) throws IOException {
        Path other = Files.createDirectories(out.resolve("other"));
        Dataset blobs = SyntheticData.blobs(60, rows * cols, 10, 0.1, 3);
        byte[] pixels = new byte[blobs.features().length];
        writeIdx(other, rows, cols, pixels, blobs.labels());
        Path written = Files.createDirectories(out.resolve("written"));
        String shape = "1×" + rows + "×" + cols;
        CliTest.Result r = run("eval", "--device", "cpu", "--model", idxModel.toString(), "--data", other.toString());
        BadInput.assertRejected(r, written, shape, "1×8×8", idxModel.toString());
        r = run("predict", "--device", "cpu", "--model", idxModel.toString(), "--input",
                other.resolve(MnistFolder.TEST_IMAGES).toString(), "--output", written.resolve("p.csv").toString());
        BadInput.assertRejected(r, written, shape, "1×8×8", idxModel.toString());
    }

    /** CSV data declared in another shape than the model's is refused naming --input-shape and both shapes. */
    @Test
    void csvDeclaredInAnotherShapeIsRefused(@TempDir Path out) {
        CliTest.Result r = run("eval", "--device", "cpu", "--model", csvModel.toString(), "--format", "csv", "--data",
                testCsv.toString(), "--input-shape", "1x8x8");
        BadInput.assertRejected(r, out, "--input-shape 1×8×8", "2×4×8");
        r = run("predict", "--device", "cpu", "--model", csvModel.toString(), "--format", "csv", "--input",
                testCsv.toString(), "--label-column", "y", "--input-shape", "4x4x4", "--output",
                out.resolve("p.csv").toString());
        BadInput.assertRejected(r, out, "--input-shape 4×4×4", "2×4×8");
        assertFalse(Files.exists(out.resolve("p.csv")));
    }
}
