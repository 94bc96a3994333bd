package io.clprop.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.clprop.TestDevices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line as a user meets it: output, the metrics file, and one-line errors with exit status 2. */
class CliTest {
    record Result(int status, String out, String err) {
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(status, out.toString(), err.toString());
    }

    @Test
    void devicesListsTheOpenClDevice() {
        TestDevices.openCl().close(); // skip (or fail in CI) without OpenCL
        Result r = run("devices");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("opencl:0"), r.out());
        assertTrue(r.out().contains("cpu"), r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"opencl", "cpu"})
    void trainPrintsEpochLinesAndWritesMetricsJson(String device, @TempDir Path dir) throws IOException {
        TestDevices.fashionMnist();
        if (device.equals("opencl")) {
            TestDevices.openCl().close();
        }
        Path json = dir.resolve("metrics.json");
        Result r = run("train", "--device", device, "--hidden", "32", "--epochs", "2", "--batch", "50",
                "--train-limit", "2000", "--test-limit", "500", "--metrics-json", json.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("epoch   1"), r.out());
        assertTrue(r.out().contains("epoch   2"), r.out());
        assertTrue(r.out().matches("(?s).*test accuracy 0\\.\\d{4}.*"), r.out());
        JsonObject j = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(2, j.getAsJsonArray("epochs").size());
        JsonObject e1 = j.getAsJsonArray("epochs").get(0).getAsJsonObject();
        for (String key : new String[]{"epoch", "train_loss", "test_accuracy", "seconds", "samples_per_sec"}) {
            assertTrue(e1.has(key), key);
        }
        assertEquals(32, j.getAsJsonObject("config").getAsJsonArray("hidden").get(0).getAsInt());
        assertTrue(j.get("device").getAsString().startsWith(device.equals("cpu") ? "cpu" : "opencl:0"));
        double acc = j.get("test_accuracy").getAsDouble();
        assertTrue(acc > 0.5 && acc <= 1, "accuracy " + acc);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary files left beside the metrics");
        }
    }

    @Test
    void perLayerActivations(@TempDir Path dir) throws IOException {
        TestDevices.fashionMnist();
        Path json = dir.resolve("m.json");
        Result r = run("train", "--device", "cpu", "--hidden", "24,12", "--activation", "tanh,relu", "--epochs", "1",
                "--train-limit", "500", "--test-limit", "100", "--batch", "50", "--metrics-json", json.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("784-24-12-10 tanh/relu/identity softmax-ce"), r.out());
        JsonObject j = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals("tanh,relu", j.getAsJsonObject("config").get("activation").getAsString());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "--hidden 32 --activation relu,tanh", "--train-limit 0", "--test-limit 99999999",
            "--lr 0", "--lr -1", "--lr NaN", "--batch 0", "--epochs 0", "--hidden 0", "--hidden 16,-3",
            "--activation swish", "--loss hinge", "--device gpu", "--device opencl:99", "--device opencl:x",
            "--lr abc", "--no-such-option", "--data /nonexistent/folder", "--batch 100000",
            "--metrics-json /nonexistent/dir/m.json", "--target-loss -1", "--init orthogonal"})
    void badInputGivesOneLineAndStatus2(String options, @TempDir Path dir) {
        if (options.contains("opencl:99")) {
            TestDevices.openCl().close(); // the device count must be known for this message
        }
        if (options.contains("--batch 100000")) {
            TestDevices.fashionMnist();
        }
        String[] args = ("train --device cpu --epochs 1 " + options).split(" ");
        if (options.startsWith("--device")) {
            args = ("train --epochs 1 " + options).split(" ");
        }
        Result r = run(args);
        assertEquals(2, r.status(), options + " → " + r.err());
        String err = r.err().strip();
        assertFalse(err.isEmpty());
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertFalse(err.contains("\tat "), "no stack trace: " + err);
        assertTrue(err.startsWith("clprop"), err);
    }

    @Test
    void missingCommandIsAUsageError() {
        Result r = run();
        assertEquals(2, r.status());
        assertTrue(r.err().contains("missing command"), r.err());
    }
}
