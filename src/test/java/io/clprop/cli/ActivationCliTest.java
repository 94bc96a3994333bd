package io.clprop.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.clprop.data.IdxFiles;
import io.clprop.model.ModelFile;
import io.clprop.backend.Activation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.clprop.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * leaky-relu, elu and softplus through the command line on the CPU path: train on a tiny IDX folder, the name
 * in the output, the model file's header and the checkpoint; eval of the saved model; resuming.
 */
class ActivationCliTest {
    private static final Pattern TEST_ACCURACY = Pattern.compile("(?m)^test accuracy (0\\.\\d{4}|1\\.0000)$");
    private static final Pattern EVAL_ACCURACY = Pattern.compile("(?m)^accuracy (0\\.\\d{4}|1\\.0000)$");

    @ParameterizedTest
    @ValueSource(strings = {"leaky-relu", "elu", "softplus"})
    void trainsSavesEvaluatesAndResumes(String name, @TempDir Path dir) throws IOException {
        Path data = dir.resolve("data"), model = dir.resolve("m.clprop"), ckpt = dir.resolve("run.ckpt");
        IdxFiles.writeMnistFolder(Files.createDirectory(data), false, 120, 30, 4, 3);
        Activation f = Activation.parse(name);
        assertEquals(name, f.specName());

        CliTest.Result r = run("train", "--device", "cpu", "--data", data.toString(), "--hidden", "6,5",
                "--activation", name, "--epochs", "2", "--batch", "16", "--seed", "3", "--save", model.toString(),
                "--checkpoint", ckpt.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("network 12-6-5-10 " + name + "/" + name + "/identity softmax-ce"), r.out());
        assertTrue(r.out().contains("activation=" + name), r.out());

        // The model file names the activation in its header and reads back as the same network.
        JsonArray layers = ModelFile.container(model).header()
                .getAsJsonObject("network").getAsJsonArray("layers");
        assertEquals(name, layers.get(0).getAsJsonObject().get("activation").getAsString());
        assertEquals(name, layers.get(1).getAsJsonObject().get("activation").getAsString());
        assertEquals("identity", layers.get(2).getAsJsonObject().get("activation").getAsString());
        ModelFile m = ModelFile.read(model);
        assertEquals(List.of(f, f), m.spec().hiddenActivations());

        // eval runs the loaded network's forward pass: the same accuracy as the trainer's own final one.
        CliTest.Result e = run("eval", "--model", model.toString(), "--data", data.toString(), "--device", "cpu");
        assertEquals(0, e.status(), e.out() + e.err());
        assertTrue(e.out().contains(name + "/" + name + "/identity"), e.out());
        assertEquals(match(TEST_ACCURACY, r.out()), match(EVAL_ACCURACY, e.out()), r.out() + e.out());

        // The checkpoint stores the activation among its settings: the same run resumes, another is refused.
        CliTest.Result resumed = run("train", "--device", "cpu", "--data", data.toString(), "--hidden", "6,5",
                "--activation", name, "--epochs", "3", "--batch", "16", "--seed", "3", "--checkpoint", ckpt.toString(),
                "--resume", ckpt.toString());
        assertEquals(0, resumed.status(), resumed.out() + resumed.err());
        assertTrue(resumed.out().contains("resumed " + ckpt + " after epoch 2"), resumed.out());
        assertTrue(resumed.out().contains("epoch   3"), resumed.out());
        String other = name.equals("elu") ? "softplus" : "elu";
        CliTest.Result refused = run("train", "--device", "cpu", "--data", data.toString(), "--hidden", "6,5",
                "--activation", other, "--epochs", "3", "--batch", "16", "--seed", "3", "--resume", ckpt.toString());
        assertEquals(2, refused.status(), refused.out() + refused.err());
        assertTrue(refused.err().contains("checkpoint is of a 12-6-5-10 " + name + "/" + name + "/identity")
                && refused.err().contains("this run builds 12-6-5-10 " + other + "/" + other), refused.err());
    }

    @Test
    void oneActivationPerLayerWithSquaredError(@TempDir Path dir) throws IOException {
        Path data = dir.resolve("data"), model = dir.resolve("m.clprop");
        IdxFiles.writeMnistFolder(Files.createDirectory(data), false, 120, 30, 4, 3);
        CliTest.Result r = run("train", "--device", "cpu", "--data", data.toString(), "--hidden", "7,6,5",
                "--activation", "leaky-relu,elu,softplus", "--loss", "mse", "--lr", "0.5", "--epochs", "1",
                "--batch", "16", "--save", model.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals(List.of(Activation.LEAKY_RELU, Activation.ELU, Activation.SOFTPLUS),
                ModelFile.read(model).spec().hiddenActivations());
        assertTrue(r.out().contains("leaky-relu/elu/softplus/sigmoid mse"), r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gelu", "leaky_relu", "identity"})
    void anUnknownOrNonHiddenActivationListsTheNames(String name, @TempDir Path dir) {
        CliTest.Result r = run("train", "--device", "cpu", "--data", dir.toString(), "--activation", name);
        String err = BadInput.assertRejected(r, dir, "--activation", "unknown activation '" + name + "'");
        assertTrue(err.contains("relu, sigmoid, tanh, leaky-relu, elu or softplus"), err);
    }

    private static String match(Pattern p, String text) {
        Matcher m = p.matcher(text);
        assertTrue(m.find(), p + " in " + text);
        return m.group(1);
    }
}
