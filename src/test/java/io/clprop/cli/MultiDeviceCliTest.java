package io.clprop.cli;

import io.clprop.SyntheticData;
import io.clprop.data.Dataset;
import io.clprop.model.ModelFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static io.clprop.cli.CliTest.run;
import static io.clprop.cli.ModelCommandsTest.failsCleanly;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `train --device opencl:N,M`: the refusals on every pass; the training runs where a machine shows two
 * devices, which bin/test's multi-device pass sets up (two PoCL devices in one context, then PoCL and rusticl)
 * and names in CLPROP_TEST_DEVICES. A run on two devices gives the model of a run on one within the training
 * cross-check's tolerance, its checkpoint resumes on one device, --split speed and the shadow check work.
 */
class MultiDeviceCliTest {
    @TempDir
    static Path dir;
    static Path idx;

    @BeforeAll
    static void data() throws IOException {
        Dataset blobs = SyntheticData.blobs(700, 12, 10, 0.08, 31);
        idx = ModelCommandsTest.writeIdxFolder(dir.resolve("idx"), blobs, 600);
    }

    private static String devices() {
        return "opencl:" + System.getenv("CLPROP_TEST_DEVICES");
    }

    private static String[] train(String device, String... more) {
        String[] base = {"train", "--data", idx.toString(), "--hidden", "17,9", "--batch", "33",
                "--device", device, "--no-progress"};
        String[] all = Arrays.copyOf(base, base.length + more.length);
        System.arraycopy(more, 0, all, base.length, more.length);
        boolean epochs = Arrays.asList(more).contains("--epochs");
        if (!epochs) {
            all = Arrays.copyOf(all, all.length + 2);
            all[all.length - 2] = "--epochs";
            all[all.length - 1] = "2";
        }
        return all;
    }

    @Test
    void badDeviceListsAndSplitsAreRefusedOnOneLine(@TempDir Path out) throws IOException {
        failsCleanly(out, train("opencl:0,0"), "opencl:0 is named twice");
        failsCleanly(out, train("opencl:0,"), "\"\" is not a device number");
        failsCleanly(out, train("opencl:0", "--split", "3:1"), "--split shares each batch among several devices");
        Path model = out.resolve("m.clprop");
        CliTest.Result saved = run(train("cpu", "--epochs", "1", "--save", model.toString()));
        assertEquals(0, saved.status(), saved.err());
        failsCleanly(out, new String[]{"eval", "--device", "opencl:0,1", "--model", model.toString(),
                "--data", idx.toString()}, "this command runs on one device");
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "CLPROP_TEST_DEVICES", matches = "\\d+,\\d+")
    void twoDevicesTrainTheModelOfOneAndTheirCheckpointResumesOnOne(@TempDir Path out) throws IOException {
        Path one = out.resolve("one.clprop"), two = out.resolve("two.clprop"), resumed = out.resolve("resumed.clprop");
        CliTest.Result r1 = run(train("opencl:0", "--save", one.toString()));
        assertEquals(0, r1.status(), r1.err());
        Path ckpt = out.resolve("run.ckpt");
        CliTest.Result r2 = run(train(devices(), "--save", two.toString(), "--checkpoint", ckpt.toString(),
                "--epochs", "1"));
        assertEquals(0, r2.status(), r2.err());
        assertTrue(r2.out().contains("device  2 of 2: "), r2.out());
        assertTrue(r2.out().contains("split   each batch shared 0.500 : 0.500; gradients and weights "), r2.out());
        CliTest.Result r3 = run(train("opencl:0", "--resume", ckpt.toString(), "--save", resumed.toString()));
        assertEquals(0, r3.status(), r3.err());
        assertTrue(r3.out().contains("resumed " + ckpt + " after epoch 1"), r3.out());
        float[] w1 = ModelFile.read(one).parameters(), w3 = ModelFile.read(resumed).parameters();
        io.clprop.WeightsClose.assertClose("cli: 1 epoch on " + devices() + " then 1 on opencl:0 vs 2 on opencl:0", w1,
                w3, 1e-4);
        ModelFile m = ModelFile.read(two);
        assertEquals(w1.length, m.parameters().length);
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "CLPROP_TEST_DEVICES", matches = "\\d+,\\d+")
    void splitBySpeedAndTheShadowCheckRunOnTwoDevices() {
        CliTest.Result r = run(train(devices(), "--split", "speed", "--check-every", "5"));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("speed   device 2 alone: "), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.startsWith("epoch   2") && l.contains("check")), r.out());
        CliTest.Result given = run(train(devices(), "--split", "2:1"));
        assertEquals(0, given.status(), given.err());
        assertTrue(given.out().contains("split   each batch shared 0.667 : 0.333"), given.out());
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "CLPROP_TEST_DEVICES", matches = "\\d+,\\d+")
    void verifyChecksEachDeviceOfAList(@TempDir Path out) throws IOException {
        Path json = out.resolve("verify.json");
        CliTest.Result r = run("verify", "--device", devices(), "--cases", "40", "--skip", "train_step", "--json",
                json.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("== device 2 of 2"), r.out());
        assertTrue(r.out().contains("80 passed, 0 failed on 2 devices"), r.out());
        com.google.gson.JsonObject root = com.google.gson.JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        assertEquals(2, root.getAsJsonArray("devices").size());
        assertEquals(80, root.get("passed").getAsInt());
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "CLPROP_TEST_DEVICES", matches = "\\d+,\\d+")
    void benchComparesOneDeviceWithAllAndTimesTheExchange(@TempDir Path out) throws IOException {
        io.clprop.data.IdxFiles.writeMnistFolder(out, false, 300, 20, 28, 28);
        Path json = out.resolve("bench.json");
        CliTest.Result r = run("bench", "--device", devices(), "--data", out.toString(), "--batches", "64", "--epochs",
                "1", "--json", json.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("2 devices"), r.out());
        com.google.gson.JsonObject root = com.google.gson.JsonParser.parseString(Files.readString(json)).getAsJsonObject();
        com.google.gson.JsonObject x = root.getAsJsonObject("exchange");
        long p = 784L * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10;
        assertEquals(p, x.get("parameters").getAsLong());
        // One context: 2·(N−1)·P·4 between the devices; two platforms, through the host: (2N+1)·P·4.
        long expected = x.get("route").getAsString().startsWith("device to device") ? 2 * p * 4 : 5 * p * 4;
        assertEquals(expected, x.get("bytes_per_step").getAsLong());
        assertTrue(x.get("ms_per_step").getAsDouble() > 0);
        com.google.gson.JsonObject all = root.getAsJsonArray("workloads").get(0).getAsJsonObject()
                .getAsJsonObject("all_devices");
        double moved = all.get("between_devices_bytes_per_step").getAsDouble() + all.get("h2d_bytes_per_step").getAsDouble()
                + all.get("d2h_bytes_per_step").getAsDouble();
        assertTrue(moved >= expected, moved + " bytes a step, the exchange alone moves " + expected);
    }
}
