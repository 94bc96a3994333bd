package io.clprop.cli;

import io.clprop.TestDevices;
import io.clprop.model.ClpropFile;
import io.clprop.train.Checkpoint;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static io.clprop.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A learning rate that makes training diverge: the NaN is caught on the device, training stops with exit 4
 * and one line naming the epoch and step, nothing is written, and the last good checkpoint is left as it was.
 */
class DivergenceCliTest {
    static final String[] BASE = {"train", "--hidden", "32", "--epochs", "3", "--batch", "50", "--train-limit", "2000",
            "--test-limit", "200"};

    @ParameterizedTest
    @ValueSource(strings = {"opencl", "cpu"})
    void divergenceStopsTrainingAndKeepsTheLastGoodCheckpoint(String device, @TempDir Path dir) throws IOException {
        TestDevices.fashionMnist();
        if (device.equals("opencl")) {
            TestDevices.openCl().close();
        }
        Path ckpt = dir.resolve("run.ckpt"), json = dir.resolve("m.json"), model = dir.resolve("m.model"),
                plot = dir.resolve("p.png");
        // Epoch 1 at η = 0.1 trains; from epoch 2 the step schedule multiplies η by 1e30 and the weights overflow.
        CliTest.Result r = run(concat(BASE, "--device", device, "--schedule", "step:1:1e30", "--checkpoint",
                ckpt.toString(), "--metrics-json", json.toString(), "--save", model.toString(), "--plot", plot.toString(),
                "--nan-check-every", "5"));
        assertEquals(Main.EXIT_DIVERGED, r.status(), r.out() + r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.matches("clprop: training diverged at epoch 2 step \\d+ of 40: the loss is (NaN|Infinity) "
                + "\\(lower --lr, or add --weight-decay\\)"), err);
        assertTrue(r.out().contains("epoch   1 "), r.out());
        assertFalse(r.out().contains("epoch   2 "), r.out());
        ClpropFile last = ClpropFile.read(ckpt, Checkpoint.MAGIC, "checkpoint");
        assertEquals(1, last.header().get("epochs_done").getAsInt(), "the checkpoint of epoch 1 is the last good one");
        for (float w : last.f32("parameters")) {
            assertTrue(Float.isFinite(w));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertArrayEquals(new Object[]{ckpt}, files.toArray(), "no metrics, model, plot or temporary file");
        }
        // The last good checkpoint continues, more gently: a resumed run may change the rate and schedule.
        CliTest.Result again = run(concat(BASE, "--device", device, "--schedule", "constant", "--lr", "0.05",
                "--checkpoint", ckpt.toString(), "--resume", ckpt.toString(), "--save", model.toString()));
        assertEquals(0, again.status(), again.out() + again.err());
        assertTrue(again.out().contains("resumed " + ckpt + " after epoch 1, changing lr 0.1 → 0.05, schedule "
                + "\"step:1:1.0E30\" → \"constant\""), again.out());
        assertTrue(again.out().contains("epoch   3 "), again.out());
        assertTrue(Files.exists(model));
    }

    /** With mid-epoch checks off, the epoch end still catches it, from the step losses it reads anyway. */
    @ParameterizedTest
    @ValueSource(strings = {"0", "7"})
    void theFirstBadStepIsNamedWhateverTheCheckInterval(String every) {
        TestDevices.fashionMnist();
        CliTest.Result r = run(concat(BASE, "--device", "cpu", "--lr", "1e30", "--nan-check-every", every));
        assertEquals(Main.EXIT_DIVERGED, r.status(), r.err());
        assertTrue(r.err().startsWith("clprop: training diverged at epoch 1 step 2 of 40"), r.err());
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
