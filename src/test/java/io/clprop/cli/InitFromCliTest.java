package io.clprop.cli;

import io.clprop.SyntheticData;
import io.clprop.data.CsvReader;
import io.clprop.data.Dataset;
import io.clprop.data.FeatureFill;
import io.clprop.data.Standardizer;
import io.clprop.model.ClpropFile;
import io.clprop.model.ModelFile;
import io.clprop.model.safetensors.SafetensorsFile;
import io.clprop.model.safetensors.SafetensorsWriter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.clprop.cli.CliTest.run;
import static io.clprop.cli.ModelCommandsTest.failsCleanly;
import static io.clprop.cli.ModelCommandsTest.needs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `train --init-from` as a user runs it: from a clprop model, from the safetensors file exported from it and
 * from one PyTorch would write (no clprop metadata), 0 epochs giving the same weights and predictions; a
 * clprop model's preprocessing kept; a resumed run continuing its checkpoint, not the given weights; the
 * shadow check passing from given weights; and mismatches refused on one line.
 */
class InitFromCliTest {
    static final int TRAIN_N = 400, TEST_N = 100;

    @TempDir
    static Path data;
    static Path idxDir, images, mlp, cnn, csv;

    @BeforeAll
    static void dataAndModels() throws IOException {
        // 10 classes of 3×4 "images" (pixels in [0, 1]).
        Dataset blobs = SyntheticData.blobs(TRAIN_N + TEST_N, 12, 10, 0.08, 31);
        idxDir = ModelCommandsTest.writeIdxFolder(data.resolve("idx"), blobs, TRAIN_N);
        images = idxDir.resolve("t10k-images-idx3-ubyte");
        mlp = data.resolve("mlp.clprop");
        train("--hidden", "8", "--activation", "tanh", "--epochs", "2", "--save", mlp.toString());
        cnn = data.resolve("cnn.clprop");
        train("--layers", "conv:2:3:pad1,relu,maxpool:2,flatten,dense:10", "--epochs", "1", "--save", cnn.toString());

        // CSV: 3 classes in 4 features on unlike scales, so standardisation has statistics to fit.
        Dataset rows = SyntheticData.blobs(300, 4, 3, 0.3, 32);
        StringBuilder sb = new StringBuilder("a,b,c,d,kind\n");
        for (int i = 0; i < 300; i++) {
            for (int j = 0; j < 4; j++) {
                sb.append(rows.features()[i * 4 + j] * (j + 1) * 10 + 50 * j).append(',');
            }
            sb.append("k").append(rows.labels()[i]).append('\n');
        }
        csv = Files.writeString(data.resolve("train.csv"), sb);
    }

    /** A CPU training run on the IDX folder, which must succeed; its output. */
    static String train(String... args) {
        List<String> all = new ArrayList<>(List.of("train", "--device", "cpu", "--data", idxDir.toString(), "--batch", "32",
                "--seed", "3"));
        all.addAll(List.of(args));
        CliTest.Result r = run(all.toArray(String[]::new));
        assertEquals(0, r.status(), String.join(" ", all) + "\n" + r.out() + r.err());
        return r.out();
    }

    static String predict(Path model, String device, Path out) throws IOException {
        CliTest.Result r = run("predict", "--model", model.toString(), "--input", images.toString(), "--output",
                out.toString(), "--device", device);
        assertEquals(0, r.status(), r.err());
        return Files.readString(out);
    }

    static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }

    /** {@code model}'s tensors as safetensors.torch.save_file writes a state_dict: no clprop metadata. */
    static Path pytorchStyle(Path model, Path file) throws IOException {
        SafetensorsFile f = SafetensorsFile.parse(file, SafetensorsWriter.toBytes(ModelFile.read(model)));
        StringBuilder h = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long at = 0;
        for (SafetensorsFile.Tensor t : f.tensors()) {
            long end = at + 4L * t.values().length;
            h.append(",\"").append(t.name()).append("\":{\"dtype\":\"F32\",\"shape\":")
                    .append(Arrays.toString(t.shape()).replace(" ", "")).append(",\"data_offsets\":[").append(at)
                    .append(',').append(end).append("]}");
            at = end;
        }
        byte[] header = h.append('}').toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(8 + header.length + at)).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header);
        f.tensors().forEach(t -> {
            for (float v : t.values()) {
                b.putFloat(v);
            }
        });
        return Files.write(file, b.array());
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl"})
    void zeroEpochsFromAModelOrItsSafetensorsPredictAsTheModel(String device, @TempDir Path out) throws IOException {
        needs(device);
        String expected = predict(mlp, device, out.resolve("expected.csv"));
        Path exported = out.resolve("mlp.weights");   // an extension that says nothing: told apart by content
        CliTest.Result export = run("export", "--model", mlp.toString(), "--format", "safetensors", "--output",
                exported.toString());
        assertEquals(0, export.status(), export.err());
        assertArrayEquals(SafetensorsWriter.toBytes(ModelFile.read(mlp)), Files.readAllBytes(exported),
                "export --format safetensors writes the library's bytes");
        Path torch = pytorchStyle(mlp, out.resolve("torch.safetensors"));
        for (Path from : List.of(mlp, exported, torch)) {
            Path again = out.resolve("again.clprop");
            CliTest.Result r = run("train", "--device", device, "--data", idxDir.toString(), "--hidden", "8",
                    "--activation", "tanh", "--init-from", from.toString(), "--epochs", "0", "--save", again.toString());
            assertEquals(0, r.status(), from + ": " + r.err());
            assertTrue(r.out().contains("weights " + from + "; optimizer state fresh"), r.out());
            assertArrayEquals(bits(ModelFile.read(mlp).parameters()), bits(ModelFile.read(again).parameters()),
                    from + ": the weights saved as given");
            assertEquals(expected, predict(again, device, out.resolve("again.csv")), from + ": the same predictions");
        }
    }

    @Test
    void aCnnFromItsSafetensorsTrainsOnFromItsWeights(@TempDir Path out) throws IOException {
        Path st = out.resolve("cnn.safetensors");
        SafetensorsWriter.write(ModelFile.read(cnn), st);
        String layers = "conv:2:3:pad1,relu,maxpool:2,flatten,dense:10";
        Path zero = out.resolve("zero.clprop"), one = out.resolve("one.clprop");
        train("--layers", layers, "--init-from", st.toString(), "--epochs", "0", "--save", zero.toString());
        assertArrayEquals(bits(ModelFile.read(cnn).parameters()), bits(ModelFile.read(zero).parameters()));
        String printed = train("--layers", layers, "--init-from", st.toString(), "--epochs", "1", "--save", one.toString());
        assertTrue(printed.contains("init=from cnn.safetensors"), printed);
        assertNotEquals(Arrays.toString(ModelFile.read(cnn).parameters()), Arrays.toString(ModelFile.read(one).parameters()),
                "an epoch moves the weights");
    }

    @Test
    void aResumedRunContinuesItsCheckpointNotTheGivenWeights(@TempDir Path out) throws IOException {
        Path ck = out.resolve("run.ckpt"), resumed = out.resolve("resumed.clprop"), whole = out.resolve("whole.clprop");
        String[] common = {"--hidden", "8", "--activation", "tanh", "--optimizer", "adam", "--init-from", mlp.toString()};
        train(concat(common, "--epochs", "1", "--checkpoint", ck.toString()));
        train(concat(common, "--epochs", "3", "--checkpoint", ck.toString(), "--resume", ck.toString(), "--save",
                resumed.toString()));
        train(concat(common, "--epochs", "3", "--save", whole.toString()));
        // Had the given weights been loaded over the checkpoint, epochs 2 and 3 would start from them again.
        assertArrayEquals(bits(ModelFile.read(whole).parameters()), bits(ModelFile.read(resumed).parameters()));
        failsCleanly(out, new String[]{"train", "--device", "cpu", "--data", idxDir.toString(), "--batch", "32",
                "--seed", "3", "--hidden", "8", "--activation", "tanh", "--optimizer", "adam", "--epochs", "3",
                "--resume", ck.toString()}, ck + ": the checkpoint was taken with init_from {\"file\":\"mlp.clprop\"",
                "this run has none");
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void theShadowCheckStartsFromTheGivenWeights() {
        needs("opencl");
        CliTest.Result r = run("train", "--device", "opencl", "--data", idxDir.toString(), "--batch", "32", "--hidden",
                "8", "--activation", "tanh", "--init-from", mlp.toString(), "--epochs", "1", "--check-every", "1");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("check   every 1 steps"), r.out());
    }

    @Test
    void aCsvModelsStandardiserIsKeptNotFittedAnew(@TempDir Path out) throws IOException {
        Path model = out.resolve("csv.clprop"), again = out.resolve("again.clprop");
        String[] csvRun = {"train", "--device", "cpu", "--format", "csv", "--data", csv.toString(), "--label-column", "kind",
                "--hidden", "6", "--batch", "20"};
        assertEquals(0, run(concat(csvRun, "--epochs", "2", "--save", model.toString())).status());
        // On the first 50 rows only: a fresh fit there would give other statistics than the model's 300 rows did.
        CliTest.Result r = run(concat(csvRun, "--train-limit", "50", "--init-from", model.toString(), "--epochs", "0",
                "--save", again.toString()));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("with its preprocessing"), r.out());
        Standardizer kept = ModelFile.read(again).standardizer();
        assertEquals(ModelFile.read(model).standardizer(), kept);
        Dataset first50 = CsvReader.readLabelled(csv, new CsvReader.Options(CsvReader.HeaderMode.AUTO, "kind")).data().head(50);
        assertNotEquals(Standardizer.fit(first50), kept, "a fit on the 50 rows differs, so the equality is the model's kept");
        assertEquals(ModelFile.read(model).classNames(), ModelFile.read(again).classNames());
        assertEquals(ModelFile.read(model).featureNames(), ModelFile.read(again).featureNames());
        failsCleanly(out, concat(csvRun, "--init-from", model.toString(), "--no-standardize", "--epochs", "1"),
                "--no-standardize: the --init-from model was trained on standardised inputs");
        failsCleanly(out, concat(csvRun, "--init-from", model.toString(), "--missing", "mean", "--epochs", "1"),
                "--missing mean: the --init-from model refuses missing cells");
        // Fill values too: the model's means over its 300 rows, not those of the 50 rows this run keeps.
        Path filled = out.resolve("filled.clprop"), refilled = out.resolve("refilled.clprop");
        assertEquals(0, run(concat(csvRun, "--missing", "mean", "--epochs", "1", "--save", filled.toString())).status());
        r = run(concat(csvRun, "--train-limit", "50", "--init-from", filled.toString(), "--epochs", "0", "--save",
                refilled.toString()));
        assertEquals(0, r.status(), r.err());
        assertEquals(ModelFile.read(filled).fill(), ModelFile.read(refilled).fill());
        assertNotEquals(ModelFile.read(filled).fill(), FeatureFill.fit(FeatureFill.Policy.MEAN, first50,
                List.of("a", "b", "c", "d"), csv), "a fit on the 50 rows differs, so the equality above is the model's kept");
        Path renamed = Files.writeString(out.resolve("renamed.csv"), Files.readString(csv).replaceFirst("a,b,", "a,x,"));
        failsCleanly(out, new String[]{"train", "--device", "cpu", "--format", "csv", "--data", renamed.toString(),
                "--label-column", "kind", "--hidden", "6", "--init-from", model.toString(), "--epochs", "1"},
                "--init-from: the data's feature 2 is \"x\", the model's is \"b\"");
    }

    @Test
    void mismatchesAndWrongFilesAreRefusedOnOneLine(@TempDir Path out) throws IOException {
        String[] run = {"train", "--device", "cpu", "--data", idxDir.toString(), "--epochs", "1"};
        failsCleanly(out, concat(run, "--hidden", "16", "--activation", "tanh", "--init-from", mlp.toString()),
                mlp + ": the model's layer 1 is dense:8,tanh, the network of this run has dense:16,tanh");
        failsCleanly(out, concat(run, "--hidden", "8", "--init-from", mlp.toString()),
                mlp + ": the model's layer 1 is dense:8,tanh, the network of this run has dense:8,relu");
        failsCleanly(out, concat(run, "--hidden", "8,8", "--activation", "tanh", "--init-from", mlp.toString()),
                mlp + ": the model's layer 2 is dense:10, the network of this run has dense:8,tanh");
        Path in = Files.createDirectories(out.resolve("in"));
        // A safetensors file clprop wrote says which network it is: its activations are compared too.
        Path exported = in.resolve("mlp.safetensors");
        SafetensorsWriter.write(ModelFile.read(mlp), exported);
        failsCleanly(out, concat(run, "--hidden", "8", "--init-from", exported.toString()),
                exported + ": the model's layer 1 is dense:8,tanh, the network of this run has dense:8,relu");
        // One from PyTorch says nothing of them: its names and shapes are what is compared.
        Path torch = pytorchStyle(mlp, in.resolve("torch.safetensors"));
        failsCleanly(out, concat(run, "--hidden", "16", "--init-from", torch.toString()),
                torch + ": 0.weight has shape [8, 12], the network's layer 1 (dense:16) needs [16, 12]");
        failsCleanly(out, concat(run, "--layers", "conv:2:3:pad1,relu,maxpool:2,flatten,dense:10", "--init-from",
                torch.toString()), torch + ": 0.weight has shape [8, 12], the network's layer 1 (conv:2:3:pad1) needs [2, 1, 3, 3]");
        failsCleanly(out, concat(run, "--init-from", images.toString()), images + ": neither a clprop model file");
        failsCleanly(out, concat(run, "--init-from", out.resolve("none").toString()), "none: file not found");
        failsCleanly(out, concat(run, "--hidden", "8", "--init", "he", "--init-from", mlp.toString()),
                "--init draws the initial weights, --init-from gives them; leave out one");
        failsCleanly(out, new String[]{"train", "--device", "cpu", "--data", idxDir.toString(), "--epochs", "0"},
                "--epochs must be positive, got 0 (0 only with --init-from");
        Path ck = out.resolve("in").resolve("run.ckpt");
        train("--hidden", "8", "--epochs", "1", "--checkpoint", ck.toString());
        failsCleanly(out, concat(run, "--init-from", ck.toString()), ck + ": is a clprop checkpoint, not a model; continue"
                + " its run with --resume");
    }

    @Test
    void evalRefusesAModelWhoseOutputLayerIsNotTheLosss(@TempDir Path out) throws IOException {
        ClpropFile c = ModelFile.container(mlp);
        var header = c.header();
        var layers = header.getAsJsonObject("network").getAsJsonArray("layers");
        layers.get(layers.size() - 1).getAsJsonObject().addProperty("activation", "relu");
        Path bad = Files.createDirectories(out.resolve("in")).resolve("relu-out.clprop");
        new ClpropFile(ModelFile.MAGIC, c.version(), header, c.f32Sections(), c.i32Sections()).write(bad);
        failsCleanly(out, new String[]{"eval", "--model", bad.toString(), "--data", idxDir.toString(), "--device", "cpu"},
                bad + ": network.layers[1]: the output layer's activation is relu, but softmax-ce needs identity before"
                        + " it (sigmoid before mse)");
    }
}
