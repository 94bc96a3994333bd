package io.clprop.cli;

import com.google.gson.JsonObject;
import io.clprop.TestDevices;
import io.clprop.model.ModelFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.clprop.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `train --dropout` as a user runs it: off by default, recorded in the model, ignored by inference. */
class DropoutCliTest {

    private static CliTest.Result train(Path model, String... extra) {
        String[] base = {"train", "--device", "cpu", "--hidden", "24,12", "--epochs", "2", "--batch", "50",
                "--train-limit", "1000", "--save", model.toString()};
        String[] args = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, args, base.length, extra.length);
        CliTest.Result r = run(args);
        assertEquals(0, r.status(), r.out() + r.err());
        return r;
    }

    @Test
    void dropoutZeroIsExactlyNoDropout(@TempDir Path dir) {
        TestDevices.fashionMnist();
        Path none = dir.resolve("none.clprop"), zero = dir.resolve("zero.clprop"), half = dir.resolve("half.clprop");
        train(none, "--test-limit", "300");
        train(zero, "--test-limit", "300", "--dropout", "0");
        CliTest.Result r = train(half, "--test-limit", "300", "--dropout", "0.5");
        assertTrue(r.out().contains("dropout=0.5"), r.out());
        float[] p0 = ModelFile.read(none).parameters();
        assertArrayEquals(p0, ModelFile.read(zero).parameters(), "--dropout 0 must be the run without the option");
        assertFalse(java.util.Arrays.equals(p0, ModelFile.read(half).parameters()), "--dropout 0.5 changed nothing");
    }

    /**
     * The rate is stored in the model's provenance only: eval runs the network as it is, and its accuracy on
     * the whole test set is the one training reported (evaluated without dropout, with the same weights).
     */
    @Test
    void theModelRecordsTheRateAndEvalIgnoresIt(@TempDir Path dir) {
        TestDevices.fashionMnist();
        Path model = dir.resolve("m.clprop");
        CliTest.Result t = train(model, "--dropout", "0.3");
        JsonObject config = ModelFile.read(model).trained().getAsJsonObject("config");
        assertEquals(0.3, config.get("dropout").getAsDouble());
        Matcher trained = Pattern.compile("test accuracy (\\d\\.\\d{4})").matcher(t.out());
        assertTrue(trained.find(), t.out());
        CliTest.Result e = run("eval", "--model", model.toString(), "--device", "cpu");
        assertEquals(0, e.status(), e.out() + e.err());
        assertTrue(e.out().contains("accuracy " + trained.group(1)), "train said " + trained.group(1) + "; eval: "
                + e.out());
    }

    /** The shadow check replays steps on the CPU path with the same masks, so a correct device passes it. */
    @Test
    void shadowCheckPassesWithDropout(@TempDir Path dir) {
        TestDevices.fashionMnist();
        TestDevices.openCl().close();
        CliTest.Result r = run("train", "--device", "opencl", "--hidden", "24,12", "--epochs", "1", "--batch", "50",
                "--train-limit", "500", "--test-limit", "100", "--dropout", "0.3", "--check-every", "3");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("check   every 3 steps"), r.out());
    }
}
