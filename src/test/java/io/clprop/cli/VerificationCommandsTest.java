package io.clprop.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.clprop.TestDevices;
import io.clprop.backend.Activation;
import io.clprop.nn.LossKind;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.clprop.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * verify, gradcheck and train --check-every pass on a correct device and fail, with a message that says
 * where, when a kernel is built wrong. The fault: gemm.cl built with -DRM=2 while the host launches it for
 * 4 rows per work-item, so rows 2 and 3 of every 4-row block of each product are never written — the kind
 * of host/kernel mismatch a tuner or a driver bug can cause.
 */
class VerificationCommandsTest {
    static final String WRONG_GEMM = "gemm.cl=-DRM=2";

    @BeforeEach
    void needsDevice() {
        TestDevices.openCl().close();
    }

    @Test
    void verifyPassesAndWritesJson(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("v.json");
        CliTest.Result r = run("verify", "--cases", "40", "--json", json.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().matches("(?s).*options  gemm\\.cl: -cl-std=CL1\\.2 -DRM=\\d -DVW=\\d+ -DNV=\\d\n.*"), r.out());
        // 40 kernel cases + one training step per hidden activation × loss pair, 2 more with dropout, 2 of a CNN.
        int steps = Activation.HIDDEN.size() * LossKind.values().length + 4;
        assertTrue(r.out().contains((40 + steps) + " passed, 0 failed"), r.out());
        for (Activation f : Activation.HIDDEN) {
            for (LossKind loss : LossKind.values()) {
                String row = "train_step[" + f.specName() + "/" + loss.specName + "]";
                assertTrue(r.out().lines().anyMatch(l -> l.startsWith(row) && l.endsWith("PASS")), row + ": " + r.out());
            }
        }
        JsonObject j = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(40 + steps, j.get("passed").getAsInt());
        assertEquals(0, j.get("failed").getAsInt());
        assertTrue(j.get("driver_version").getAsString().length() > 0);
        JsonArray cases = j.getAsJsonArray("cases");
        assertEquals(40 + steps, cases.size());
        JsonObject c = cases.get(0).getAsJsonObject();
        for (String key : new String[]{"kernel", "shape", "max_abs", "max_rel", "tol", "pass"}) {
            assertTrue(c.has(key), key);
        }
    }

    @Test
    void verifyDefaultSuiteHasAtLeast100Cases() {
        CliTest.Result r = run("verify");
        assertEquals(0, r.status(), r.out() + r.err());
        String summary = r.out().lines().filter(l -> l.matches("\\d+ passed, \\d+ failed")).findFirst().orElseThrow();
        assertTrue(Integer.parseInt(summary.split(" ")[0]) >= 100, summary);
    }

    @Test
    void verifyFailsOnAWronglyBuiltKernel(@TempDir Path dir) throws IOException {
        Path json = dir.resolve("v.json");
        CliTest.Result r = run("verify", "--build-option", WRONG_GEMM, "--json", json.toString());
        assertEquals(Main.EXIT_CHECK_FAILED, r.status(), r.out());
        assertTrue(r.out().matches("(?s).*gemm\\.cl: -cl-std=CL1\\.2 -DRM=2 -DVW=\\d+ -DNV=\\d\n.*"), "the options used are reported: " + r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("gemm_nn ") && l.endsWith("FAIL")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("train_step[") && l.endsWith("FAIL")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("softmax_ce ") && l.endsWith("PASS")),
                "other kernels still pass: " + r.out());
        JsonObject j = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertTrue(j.get("failed").getAsInt() > 0);
    }

    @Test
    void verifySkipsNamedKernels() {
        CliTest.Result r = run("verify", "--cases", "12", "--skip", "gemm_nn,activate,train_step");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("12 passed, 0 failed"), r.out());
        assertFalse(r.out().lines().anyMatch(l -> l.startsWith("gemm_nn ") || l.startsWith("activate[")
                || l.startsWith("train_step[")), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("activation_backward[")), "only exact names: " + r.out());
    }

    @Test
    void verifyNeedsAnOpenClDevice() {
        CliTest.Result r = run("verify", "--device", "cpu");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("choose opencl"), r.err());
    }

    @Test
    void gradcheckPassesOnBothPaths() {
        for (String[] args : new String[][]{{"gradcheck"}, {"gradcheck", "--device", "cpu"},
                {"gradcheck", "--activation", "sigmoid", "--loss", "mse", "--hidden", "5,3,4"},
                {"gradcheck", "--activation", "tanh", "--rows", "7", "--hidden", "33"},
                {"gradcheck", "--activation", "leaky-relu,elu,softplus", "--hidden", "6,5,4"},
                {"gradcheck", "--activation", "softplus", "--loss", "mse", "--device", "cpu"}}) {
            CliTest.Result r = run(args);
            assertEquals(0, r.status(), String.join(" ", args) + "\n" + r.out() + r.err());
            assertTrue(r.out().contains("gradcheck passed"), r.out());
        }
    }

    @Test
    void gradcheckTakesAConvolutionalNetwork() {
        String layers = "conv:3:3:pad1,tanh,maxpool:2,conv:4:2:stride2,sigmoid,flatten,dense:5";
        for (String[] args : new String[][]{{"gradcheck", "--layers", layers},
                {"gradcheck", "--layers", layers, "--loss", "mse", "--input-shape", "3x5x8", "--device", "cpu"}}) {
            CliTest.Result r = run(args);
            assertEquals(0, r.status(), String.join(" ", args) + "\n" + r.out() + r.err());
            assertTrue(r.out().contains("gradcheck passed"), r.out());
            assertTrue(r.out().contains("W1 ") && r.out().contains("W3 ") && !r.out().contains("W2 "),
                    "the max-pool has no tensors: " + r.out());
        }
        CliTest.Result alone = run("gradcheck", "--input-shape", "1x4x4");
        assertEquals(2, alone.status(), alone.err());
        assertEquals("clprop: error: --input-shape is the shape of the images --layers reads; give --layers too\n",
                alone.err());
        CliTest.Result both = run("gradcheck", "--layers", layers, "--hidden", "4");
        assertEquals(2, both.status(), both.err());
        assertTrue(both.err().contains("--layers describes the whole network; leave out --hidden"), both.err());
    }

    @Test
    void gradcheckFailsOnAWronglyBuiltKernel() {
        CliTest.Result r = run("gradcheck", "--build-option", WRONG_GEMM);
        assertEquals(Main.EXIT_CHECK_FAILED, r.status(), r.out());
        assertTrue(r.out().contains("gradcheck FAILED"), r.out());
        assertTrue(r.out().contains("W1 on the device"), "names the tensor: " + r.out());
    }

    @Test
    void shadowCheckReportsInEpochLinesAndJson(@TempDir Path dir) throws IOException {
        TestDevices.fashionMnist();
        Path json = dir.resolve("m.json");
        CliTest.Result r = run("train", "--hidden", "32", "--epochs", "2", "--batch", "50", "--train-limit", "1000",
                "--test-limit", "200", "--check-every", "4", "--metrics-json", json.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("check 5 steps max_rel"), r.out()); // 20 steps per epoch, every 4th
        JsonObject j = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(10, j.getAsJsonObject("check").get("steps").getAsInt());
        double maxRel = j.getAsJsonObject("check").get("max_rel").getAsDouble();
        assertTrue(maxRel > 0 && maxRel < j.getAsJsonObject("check").get("tolerance").getAsDouble(), "max_rel " + maxRel);
        assertEquals(5, j.getAsJsonArray("epochs").get(0).getAsJsonObject().getAsJsonObject("check").get("steps").getAsInt());
    }

    @Test
    void shadowCheckStopsTrainingOnAWronglyBuiltKernel(@TempDir Path dir) throws IOException {
        TestDevices.fashionMnist();
        Path json = dir.resolve("m.json");
        CliTest.Result r = run("train", "--hidden", "32", "--epochs", "1", "--batch", "50", "--train-limit", "1000",
                "--test-limit", "200", "--check-every", "3", "--build-option", WRONG_GEMM, "--metrics-json",
                json.toString());
        assertEquals(Main.EXIT_CHECK_FAILED, r.status(), r.out() + r.err());
        String err = r.err().lines().filter(l -> l.startsWith("clprop")).findFirst().orElseThrow();
        assertTrue(err.matches(".*shadow check at epoch 1 step 0: (gradient of )?[Wb]\\d .*"), "names step and tensor: " + err);
        assertFalse(Files.exists(json), "no metrics file for a run that failed its check");
    }
}
