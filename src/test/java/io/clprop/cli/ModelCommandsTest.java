package io.clprop.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.clprop.HostForward;
import io.clprop.SyntheticData;
import io.clprop.TestDevices;
import io.clprop.backend.Backend;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.data.CsvReader;
import io.clprop.data.Dataset;
import io.clprop.data.MnistFolder;
import io.clprop.data.Standardizer;
import io.clprop.model.ModelFile;
import io.clprop.backend.Activation;
import io.clprop.nn.Init;
import io.clprop.nn.LossKind;
import io.clprop.train.TrainConfig;
import io.clprop.train.Trainer;
import io.clprop.verify.Comparison;
import io.clprop.verify.StepReplay;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.clprop.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * eval and predict as a user runs them, on models saved the way `train --save` saves them (trained here with
 * the Trainer on the CPU path): CSV data with named classes and standardisation, an IDX folder, and the
 * errors a wrong model or file gives (exit 2, one line naming the file, nothing written).
 */
class ModelCommandsTest {
    static final List<String> NAMES = List.of("ant", "bee", "cat", "dog");
    static final int TRAIN_N = 600, TEST_N = 300;

    @TempDir
    static Path data;
    static Path trainCsv, testCsv, model, mseModel, idxDir, idxModel;
    /** The trainer's own test accuracy for each model: eval on the CPU path must print exactly this. */
    static double csvAccuracy, mseAccuracy, idxAccuracy;
    static Dataset testStandardized;

    @BeforeAll
    static void makeDataAndModels() throws IOException {
        // Four blobs in 6 features on very different scales and offsets: standardisation has work to do.
        Dataset all = SyntheticData.blobs(TRAIN_N + TEST_N, 6, 4, 0.3, 21);
        float[] x = all.features().clone();
        for (int i = 0; i < x.length; i++) {
            int j = i % 6;
            x[i] = x[i] * (float) Math.pow(10, j - 2) + 100 * j;
        }
        trainCsv = writeCsv("train.csv", x, all.labels(), 0, TRAIN_N);
        testCsv = writeCsv("test.csv", x, all.labels(), TRAIN_N, TRAIN_N + TEST_N);
        CsvReader.Options o = new CsvReader.Options(CsvReader.HeaderMode.AUTO, "species");
        CsvReader.Labelled train = CsvReader.readLabelled(trainCsv, o);
        assertEquals(NAMES, train.classes().names());
        Standardizer s = Standardizer.fit(train.data());
        testStandardized = s.apply(CsvReader.readLabelled(testCsv, o, train.classes()).data());
        model = data.resolve("model.clprop");
        csvAccuracy = trainAndSave(s.apply(train.data()), testStandardized, s, NAMES, LossKind.SOFTMAX_CE, model);
        mseModel = data.resolve("mse.clprop");
        mseAccuracy = trainAndSave(s.apply(train.data()), testStandardized, s, NAMES, LossKind.MSE, mseModel);

        // An IDX folder: 10 classes of 3×4 "images" with pixel values in [0, 1].
        Dataset blobs = SyntheticData.blobs(TRAIN_N + TEST_N, 12, 10, 0.08, 22);
        idxDir = writeIdxFolder(data.resolve("idx"), blobs, TRAIN_N);
        MnistFolder.TrainTest tt = MnistFolder.load(idxDir);
        idxModel = data.resolve("idx.clprop");
        idxAccuracy = trainAndSave(tt.train(), tt.test(), null, List.of(), LossKind.SOFTMAX_CE, idxModel);
    }

    static double trainAndSave(Dataset train, Dataset test, Standardizer s, List<String> names, LossKind loss, Path file) {
        TrainConfig c = new TrainConfig(new int[]{8}, Activation.TANH, loss, loss == LossKind.MSE ? 1f : 0.3f, 32, 3, 0,
                7, Init.AUTO);
        try (Backend cpu = new CpuBackend(); Trainer t = new Trainer(cpu, c, train, test)) {
            double acc = t.fit(m -> { }).get(2).testAccuracy();
            JsonObject trained = new JsonObject();
            trained.addProperty("epochs", 3);
            trained.addProperty("test_accuracy", acc);
            new ModelFile(t.spec(), t.network().parameters(), s, names, trained).write(file);
            return acc;
        }
    }

    static Path writeCsv(String name, float[] x, int[] labels, int from, int to) throws IOException {
        StringBuilder sb = new StringBuilder("f0,f1,species,f2,f3,f4,f5\n");
        for (int i = from; i < to; i++) {
            for (int j = 0; j < 6; j++) {
                sb.append(j == 0 ? "" : ",").append(x[i * 6 + j]);
                if (j == 1) {
                    sb.append(',').append(NAMES.get(labels[i]));
                }
            }
            sb.append('\n');
        }
        return Files.writeString(data.resolve(name), sb);
    }

    /** The samples' features, clamped to [0, 1], as IDX pixel bytes (value · 255, rounded). */
    static byte[] pixelBytes(Dataset samples) {
        float[] f = samples.features();
        byte[] pixels = new byte[f.length];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (byte) Math.round(255 * Math.min(1, Math.max(0, f[i])));
        }
        return pixels;
    }

    /**
     * An MNIST-layout folder of 3×4 images from samples of 12 features: the first {@code trainN} as the
     * training files, the rest as the test files; returns the folder.
     */
    static Path writeIdxFolder(Path folder, Dataset samples, int trainN) throws IOException {
        byte[] pixels = pixelBytes(samples);
        Files.createDirectories(folder);
        writeIdx(folder, "train", Arrays.copyOf(pixels, trainN * 12), Arrays.copyOf(samples.labels(), trainN));
        writeIdx(folder, "t10k", Arrays.copyOfRange(pixels, trainN * 12, pixels.length),
                Arrays.copyOfRange(samples.labels(), trainN, samples.size()));
        return folder;
    }

    static void writeIdx(Path dir, String prefix, byte[] pixels, int[] labels) throws IOException {
        int n = labels.length;
        ByteBuffer img = ByteBuffer.allocate(16 + pixels.length).putInt(0x803).putInt(n).putInt(3).putInt(4).put(pixels);
        Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), img.array());
        ByteBuffer lab = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
        for (int l : labels) {
            lab.put((byte) l);
        }
        Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), lab.array());
    }

    static void needs(String device) {
        if (device.equals("opencl")) {
            TestDevices.openCl().close();
        }
    }

    static double printedAccuracy(String out) {
        return Double.parseDouble(out.lines().filter(l -> l.startsWith("accuracy ")).findFirst().orElseThrow()
                .substring(9).trim());
    }

    // ---- eval -----------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl"})
    void evalCsvPrintsAccuracyLossAndConfusion(String device, @TempDir Path out) throws IOException {
        needs(device);
        Path json = out.resolve("eval.json");
        CliTest.Result r = run("eval", "--model", model.toString(), "--format", "csv", "--data", testCsv.toString(),
                "--label-column", "species", "--device", device, "--json", json.toString());
        assertEquals(0, r.status(), r.err());
        double acc = printedAccuracy(r.out());
        if (device.equals("cpu")) {
            assertEquals(String.format(Locale.ROOT, "%.4f", csvAccuracy), String.format(Locale.ROOT, "%.4f", acc),
                    "the same path, the same predictions as the trainer's test accuracy");
        } else {
            assertEquals(csvAccuracy, acc, 2.0 / TEST_N);
        }
        assertTrue(acc > 0.5 && acc < 1, "a model between chance and perfect: " + acc);
        assertTrue(r.out().contains("standardised inputs"), r.out());
        List<String> lines = r.out().lines().toList();
        int head = lines.indexOf(lines.stream().filter(l -> l.startsWith("true \\ predicted")).findFirst().orElseThrow());
        for (int k = 0; k < NAMES.size(); k++) {
            assertTrue(lines.get(head + 1 + k).startsWith(NAMES.get(k) + " "), r.out());
        }
        JsonObject j = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(acc, j.get("accuracy").getAsDouble(), 5e-5);
        assertEquals(TEST_N, j.get("samples").getAsInt());
        assertEquals(NAMES.get(3), j.getAsJsonArray("classes").get(3).getAsString());
        JsonArray confusion = j.getAsJsonArray("confusion");
        int total = 0, diagonal = 0;
        for (int t = 0; t < 4; t++) {
            for (int p = 0; p < 4; p++) {
                int v = confusion.get(t).getAsJsonArray().get(p).getAsInt();
                total += v;
                diagonal += t == p ? v : 0;
            }
        }
        assertEquals(TEST_N, total);
        assertEquals(j.get("accuracy").getAsDouble(), (double) diagonal / TEST_N, 1e-12);
        double loss = j.get("loss").getAsDouble();
        assertTrue(loss > 0 && loss < Math.log(4), "below chance's log 4: " + loss);
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl"})
    void evalIdxFolderUsesItsTestFiles(String device) {
        needs(device);
        CliTest.Result r = run("eval", "--model", idxModel.toString(), "--data", idxDir.toString(), "--device", device);
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains(TEST_N + " samples"), r.out());
        assertEquals(idxAccuracy, printedAccuracy(r.out()), device.equals("cpu") ? 5e-5 : 2.0 / TEST_N);
        assertTrue(idxAccuracy > 0.3 && idxAccuracy < 1, "between chance (0.1) and perfect: " + idxAccuracy);
    }

    // ---- predict --------------------------------------------------------------------------------------

    record PredictionCsv(List<String> header, List<String> predicted, double[][] values) {
    }

    static PredictionCsv readPrediction(Path f) throws IOException {
        List<String> lines = Files.readAllLines(f);
        List<String> header = List.of(lines.get(0).split(","));
        List<String> predicted = lines.stream().skip(1).map(l -> l.split(",")[0]).toList();
        double[][] values = lines.stream().skip(1)
                .map(l -> Arrays.stream(l.split(",")).skip(1).mapToDouble(Double::parseDouble).toArray())
                .toArray(double[][]::new);
        return new PredictionCsv(header, predicted, values);
    }

    /**
     * Probabilities against softmax(logits) computed in double on the host. Tolerance: the logits carry at
     * most the forward error StepReplay.tolerance(spec, rows)·max|z|, and softmax's Jacobian moves
     * each probability by at most half the largest logit change; softmax_rows adds its own (C+17+2s)·u
     * relative (see KernelCrossCheck), s ≤ 2·max|z|.
     */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl"})
    void predictCsvWritesProbabilitiesMatchingTheHost(String device, @TempDir Path out) throws IOException {
        needs(device);
        Path csv = out.resolve("pred.csv");
        CliTest.Result r = run("predict", "--model", model.toString(), "--format", "csv", "--input", testCsv.toString(),
                "--label-column", "species", "--output", csv.toString(), "--device", device);
        assertEquals(0, r.status(), r.err());
        PredictionCsv p = readPrediction(csv);
        assertEquals(List.of("predicted", "p_ant", "p_bee", "p_cat", "p_dog"), p.header());
        assertEquals(TEST_N, p.values().length);
        ModelFile m = ModelFile.read(model);
        double[][] z = HostForward.outputs(m.spec(), m.parameters(), testStandardized);
        int correct = 0;
        for (int i = 0; i < TEST_N; i++) {
            double[] expected = HostForward.softmax(z[i]);
            double maxZ = HostForward.maxAbs(z[i]);
            double tol = 0.5 * StepReplay.tolerance(m.spec(), TEST_N) * Math.max(1, maxZ)
                    + (4 + 17 + 4 * maxZ) * Comparison.U;
            for (int c = 0; c < 4; c++) {
                assertEquals(expected[c], p.values()[i][c], tol, "sample " + i + " class " + c);
            }
            assertEquals(NAMES.get(HostForward.argmax(z[i])), p.predicted().get(i), "sample " + i);
            correct += p.predicted().get(i).equals(NAMES.get(testStandardized.labels()[i])) ? 1 : 0;
        }
        assertEquals(csvAccuracy, (double) correct / TEST_N, 2.0 / TEST_N, "predict agrees with the trainer's accuracy");
    }

    @Test
    void predictMseModelWritesSigmoidOutputs(@TempDir Path out) throws IOException {
        Path csv = out.resolve("pred.csv");
        CliTest.Result r = run("predict", "--model", mseModel.toString(), "--format", "csv", "--input", testCsv.toString(),
                "--label-column", "species", "--output", csv.toString(), "--device", "cpu");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("not probabilities"), r.out());
        PredictionCsv p = readPrediction(csv);
        assertEquals(List.of("predicted", "out_ant", "out_bee", "out_cat", "out_dog"), p.header());
        ModelFile m = ModelFile.read(mseModel);
        double[][] y = HostForward.outputs(m.spec(), m.parameters(), testStandardized);
        for (int i = 0; i < TEST_N; i++) {
            for (int c = 0; c < 4; c++) {
                // The CPU path rounds each layer's output to float once: a few units of float rounding.
                assertEquals(y[i][c], p.values()[i][c], 1e-5, "sample " + i + " class " + c);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl"})
    void predictIdxImages(String device, @TempDir Path out) throws IOException {
        needs(device);
        Path csv = out.resolve("pred.csv");
        CliTest.Result r = run("predict", "--model", idxModel.toString(), "--input",
                idxDir.resolve("t10k-images-idx3-ubyte").toString(), "--output", csv.toString(), "--device", device);
        assertEquals(0, r.status(), r.err());
        PredictionCsv p = readPrediction(csv);
        assertEquals("p_9", p.header().get(10));
        int[] truth = MnistFolder.loadTest(idxDir).labels();
        int correct = 0;
        for (int i = 0; i < TEST_N; i++) {
            double sum = Arrays.stream(p.values()[i]).sum();
            assertEquals(1, sum, 1e-5, "probabilities sum to 1");
            correct += Integer.parseInt(p.predicted().get(i)) == truth[i] ? 1 : 0;
        }
        assertEquals(idxAccuracy, (double) correct / TEST_N, device.equals("cpu") ? 1e-12 : 2.0 / TEST_N);
    }

    // ---- errors ---------------------------------------------------------------------------------------

    /** Exit 2, one line starting with "clprop" that contains each fragment, no stack trace, nothing written. */
    static void failsCleanly(Path out, String[] args, String... fragments) throws IOException {
        Set<Path> before = list(out);
        CliTest.Result r = run(args);
        assertEquals(2, r.status(), String.join(" ", args) + " → " + r.out() + r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("clprop"), err);
        assertFalse(err.contains("\tat "), err);
        for (String f : fragments) {
            assertTrue(err.contains(f), "expected \"" + f + "\" in: " + err);
        }
        assertEquals(before, list(out), "nothing written");
    }

    static Set<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.collect(Collectors.toSet());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl"})
    void wrongModelForTheData(String device, @TempDir Path out) throws IOException {
        needs(device);
        String json = out.resolve("e.json").toString(), pred = out.resolve("p.csv").toString();
        // 12-pixel IDX data against the 6-feature CSV model, both ways round.
        failsCleanly(out, new String[]{"eval", "--model", model.toString(), "--data", idxDir.toString(), "--device", device,
                "--json", json}, idxDir.toString(), "10 classes but model " + model + " has 4");
        // The same for a squared-error model, whose 4 one-hot target columns cannot hold 10 classes.
        failsCleanly(out, new String[]{"eval", "--model", mseModel.toString(), "--data", idxDir.toString(), "--device",
                device, "--json", json}, idxDir.toString(), "10 classes but model " + mseModel + " has 4");
        failsCleanly(out, new String[]{"eval", "--model", idxModel.toString(), "--format", "csv", "--data",
                testCsv.toString(), "--label-column", "species", "--device", device, "--json", json},
                testCsv + ":2:3: label \"", "\" is not one of the classes of model " + idxModel + ": 0..9");
        failsCleanly(out, new String[]{"predict", "--model", model.toString(), "--input",
                idxDir.resolve("t10k-images-idx3-ubyte").toString(), "--output", pred, "--device", device},
                "samples have 12 features but model " + model + " takes 6");
        // The label column not named: its text is not a number, or (numeric labels) one feature too many.
        failsCleanly(out, new String[]{"predict", "--model", model.toString(), "--format", "csv", "--input",
                testCsv.toString(), "--output", pred, "--device", device}, testCsv + ":2:3: \"",
                "\" is not a number (column \"species\"); if this is a label column, name it with --label-column");
        Path numeric = Files.writeString(out.resolve("numeric.csv"), "1,2,3,4,5,6,0\n");
        failsCleanly(out, new String[]{"predict", "--model", model.toString(), "--format", "csv", "--input",
                numeric.toString(), "--output", pred, "--device", device},
                numeric + ": samples have 7 features but model " + model + " takes 6 (if the file has a label column, "
                        + "name it with --label-column)");
    }

    @Test
    void wrongFeatureCountAndUnknownLabelInCsv(@TempDir Path out) throws IOException {
        Path wide = Files.writeString(out.resolve("wide.csv"), "a,b,c,d,e,f,g,species\n1,2,3,4,5,6,7,ant\n");
        Path json = out.resolve("e.json");
        failsCleanly(out, new String[]{"eval", "--model", model.toString(), "--format", "csv", "--data", wide.toString(),
                "--label-column", "species", "--device", "cpu", "--json", json.toString()},
                wide + ": samples have 7 features but model " + model + " takes 6");
        Path bird = Files.writeString(out.resolve("bird.csv"), "a,b,species,c,d,e,f\n1,2,emu,3,4,5,6\n");
        failsCleanly(out, new String[]{"eval", "--model", model.toString(), "--format", "csv", "--data", bird.toString(),
                "--label-column", "species", "--device", "cpu", "--json", json.toString()},
                bird + ":2:3: label \"emu\" is not one of the classes of model " + model + ": ant, bee, cat, dog");
    }

    @Test
    void brokenModelFilesAndBadOptions(@TempDir Path out) throws IOException {
        byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length - 20] ^= 1; // in the parameters
        Path corrupt = Files.write(out.resolve("corrupt.clprop"), bytes);
        Path pred = out.resolve("p.csv");
        String[] predictCorrupt = {"predict", "--model", corrupt.toString(), "--format", "csv", "--input", testCsv.toString(),
                "--label-column", "species", "--output", pred.toString(), "--device", "cpu"};
        failsCleanly(out, predictCorrupt, corrupt + ": corrupted: CRC32 mismatch");
        Path truncated = Files.write(out.resolve("short.clprop"), Arrays.copyOf(Files.readAllBytes(model), 100));
        failsCleanly(out, new String[]{"eval", "--model", truncated.toString(), "--data", idxDir.toString(), "--device",
                "cpu"}, truncated + ": truncated");
        failsCleanly(out, new String[]{"eval", "--model", testCsv.toString(), "--data", idxDir.toString(), "--device",
                "cpu"}, testCsv + ": not a clprop model file");
        failsCleanly(out, new String[]{"eval", "--model", out.resolve("none.clprop").toString(), "--data",
                idxDir.toString(), "--device", "cpu"}, "none.clprop: file not found");
        failsCleanly(out, new String[]{"eval", "--model", model.toString(), "--format", "csv", "--device", "cpu"},
                "--format csv needs --data FILE");
        failsCleanly(out, new String[]{"eval", "--model", model.toString(), "--format", "json", "--device", "cpu"},
                "unknown format 'json'");
        failsCleanly(out, new String[]{"eval", "--model", model.toString(), "--format", "csv", "--data", testCsv.toString(),
                "--test-data", testCsv.toString(), "--device", "cpu"}, "Unknown options: '--test-data'");
        failsCleanly(out, new String[]{"eval", "--model", model.toString(), "--format", "csv", "--data", testCsv.toString(),
                "--no-standardize", "--device", "cpu"}, "Unknown option: '--no-standardize'");
        failsCleanly(out, new String[]{"eval", "--model", idxModel.toString(), "--data", idxDir.toString(),
                "--label-column", "3", "--device", "cpu"}, "--label-column applies to --format csv");
        failsCleanly(out, new String[]{"predict", "--model", model.toString(), "--input", testCsv.toString(),
                "--output", out.resolve("no/such/dir.csv").toString(), "--device", "cpu"}, "--output");
        failsCleanly(out, new String[]{"eval", "--data", idxDir.toString()}, "--model");
        failsCleanly(out, new String[]{"eval", "--model", idxModel.toString(), "--data", idxDir.toString(), "--device",
                "gpu"}, "--device gpu");
    }

    @Test
    void failedPredictLeavesAnExistingOutputAlone(@TempDir Path out) throws IOException {
        Path pred = Files.writeString(out.resolve("p.csv"), "old\n");
        failsCleanly(out, new String[]{"predict", "--model", model.toString(), "--input",
                idxDir.resolve("t10k-images-idx3-ubyte").toString(), "--output", pred.toString(), "--device", "cpu"},
                "takes 6");
        assertEquals("old\n", Files.readString(pred));
    }
}
