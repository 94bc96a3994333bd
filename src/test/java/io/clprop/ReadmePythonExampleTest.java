package io.clprop;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.clprop.backend.Activation;
import io.clprop.model.ClpropFile;
import io.clprop.model.ModelFile;
import io.clprop.nn.LossKind;
import io.clprop.nn.Network;
import io.clprop.nn.NetworkSpec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's Python reading example reads the model files clprop writes, of both versions: the first
 * ```python block after {@code <!-- example: python-model -->} runs in a folder holding a "model.clprop" and
 * must print each layer's tensors in PyTorch's shapes. Skipped where python3 with numpy is not installed
 * (clprop itself needs neither).
 */
class ReadmePythonExampleTest {
    static final String MARKER = "<!-- example: python-model -->";

    /** The first ```python block after the marker line. */
    static String extract(String markdown) {
        List<String> lines = markdown.lines().toList();
        int i = lines.indexOf(MARKER);
        if (i < 0) {
            throw new IllegalArgumentException("no line " + MARKER);
        }
        while (i < lines.size() && !lines.get(i).strip().equals("```python")) {
            i++;
        }
        StringBuilder source = new StringBuilder();
        for (i++; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
            source.append(lines.get(i)).append('\n');
        }
        if (i >= lines.size()) {
            throw new IllegalArgumentException("no closed ```python block after " + MARKER);
        }
        return source.toString();
    }

    @Test
    void extractTakesTheBlockAfterTheMarker() {
        String md = String.join("\n", "```python", "before()", "```", MARKER, "", "```python", "wanted()", "```");
        assertEquals("wanted()\n", extract(md));
        assertThrows(IllegalArgumentException.class, () -> extract("```python\nx\n```\n"));
        assertThrows(IllegalArgumentException.class, () -> extract(MARKER + "\n```python\nx\n"));
    }

    @Test
    void theExampleReadsAConvolutionalModel(@TempDir Path dir) throws Exception {
        NetworkSpec cnn = Network.builder().input(1, 28, 28)
                .conv(32, 3, 1, 1, Activation.RELU).maxPool(2)
                .conv(64, 3, 1, 1, Activation.RELU).maxPool(2)
                .flatten().dense(128, Activation.RELU).output(10, LossKind.SOFTMAX_CE).build();
        Path f = write(dir.resolve("cnn"), cnn);
        assertEquals(List.of(
                "conv (32, 1, 3, 3) (32,) relu",
                "maxpool 2 -> [32, 14, 14]",
                "conv (64, 32, 3, 3) (64,) relu",
                "maxpool 2 -> [64, 7, 7]",
                "flatten 3136",
                "dense (128, 3136) (128,) relu",
                "dense (10, 128) (10,) identity"), runExample(f));
    }

    @Test
    void theExampleFollowsStridesAndPaddings(@TempDir Path dir) throws Exception {
        NetworkSpec awkward = Network.builder().input(3, 17, 13)
                .conv(6, 5, 2, 2, Activation.TANH).maxPool(3, 2, 1).conv(4, 2, 1, 0, Activation.LEAKY_RELU)
                .flatten().dense(5, Activation.ELU).output(3, LossKind.MSE).build();
        assertEquals(List.of(
                "conv (6, 3, 5, 5) (6,) tanh",
                "maxpool 3 -> [6, 5, 4]",
                "conv (4, 6, 2, 2) (4,) leaky-relu",
                "flatten 48",
                "dense (5, 48) (5,) elu",
                "dense (3, 5) (3,) sigmoid"), runExample(write(dir.resolve("awkward"), awkward)));
    }

    @Test
    void theExampleReadsAVersion1Model(@TempDir Path dir) throws Exception {
        JsonObject h = JsonParser.parseString("""
                {"network": {"inputs": 3, "layers": [{"units": 5, "activation": "tanh"},
                                                    {"units": 2, "activation": "sigmoid"}], "loss": "mse"},
                 "standardized": false, "missing": "error", "trained": {}}""").getAsJsonObject();
        LinkedHashMap<String, float[]> f32 = new LinkedHashMap<>();
        f32.put("parameters", new float[(3 + 1) * 5 + (5 + 1) * 2]);
        Path f = Files.createDirectories(dir.resolve("v1")).resolve("model.clprop");
        new ClpropFile(ModelFile.MAGIC, 1, h, f32, new LinkedHashMap<>()).write(f);
        assertEquals(List.of("dense (5, 3) (5,) tanh", "dense (2, 5) (2,) sigmoid"), runExample(f));
    }

    private static Path write(Path folder, NetworkSpec spec) throws IOException {
        float[] p = new float[Math.toIntExact(spec.parameterCount())];
        for (int k = 0; k < p.length; k++) {
            p[k] = k % 7 * 0.125f;
        }
        Path f = Files.createDirectories(folder).resolve("model.clprop");
        new ModelFile(spec, p, null, List.of(), new JsonObject()).write(f);
        return f;
    }

    /** Runs the example beside {@code model} (named model.clprop); the lines it printed. */
    private static List<String> runExample(Path model) throws Exception {
        assumePythonWithNumpy();
        Path script = model.resolveSibling("read_model.py");
        Files.writeString(script, extract(Files.readString(ReadmeExampleTest.findReadme())));
        Process p = new ProcessBuilder("python3", script.getFileName().toString()).directory(model.getParent().toFile())
                .redirectErrorStream(true).start();
        boolean done = p.waitFor(2, TimeUnit.MINUTES);
        if (!done) {
            p.destroyForcibly().waitFor();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(done && p.exitValue() == 0, "the README's Python example failed:\n" + out);
        return out.lines().toList();
    }

    private static void assumePythonWithNumpy() {
        boolean ok;
        try {
            Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            ok = p.waitFor(1, TimeUnit.MINUTES) && p.exitValue() == 0;
        } catch (IOException e) {
            ok = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ok = false;
        }
        Assumptions.assumeTrue(ok, "python3 with numpy is not installed");
    }
}
