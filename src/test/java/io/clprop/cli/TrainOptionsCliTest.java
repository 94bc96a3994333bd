package io.clprop.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.clprop.TestDevices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.clprop.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Optimizers, schedules, the validation split and early stopping as `clprop train` offers them. */
class TrainOptionsCliTest {

    @ParameterizedTest
    @ValueSource(strings = {"opencl", "cpu"})
    void eachOptimizerTrainsAndIsReported(String device, @TempDir Path dir) throws IOException {
        TestDevices.fashionMnist();
        if (device.equals("opencl")) {
            TestDevices.openCl().close();
        }
        for (String opt : new String[]{"momentum", "nesterov", "adam"}) {
            Path json = dir.resolve(opt + ".json");
            CliTest.Result r = run("train", "--device", device, "--hidden", "32", "--epochs", "2", "--batch", "50",
                    "--train-limit", "2000", "--test-limit", "500", "--optimizer", opt, "--weight-decay", "1e-4",
                    "--schedule", "cosine", "--validation", "0.1", "--metrics-json", json.toString());
            assertEquals(0, r.status(), r.out() + r.err());
            assertTrue(r.out().contains("optimizer=" + opt), r.out());
            assertTrue(r.out().contains("1800 train, 200 validation, 500 test samples"), r.out());
            assertTrue(r.out().matches("(?s).*epoch   2  train_loss \\d\\.\\d{4}  val_loss \\d\\.\\d{4}  val_acc 0\\.\\d{4}  test_acc.*"),
                    r.out());
            JsonObject j = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
            JsonObject e2 = j.getAsJsonArray("epochs").get(1).getAsJsonObject();
            assertTrue(e2.get("validation_accuracy").getAsDouble() > 0.5, e2.toString());
            // Cosine over 2 epochs of 36 steps: the last step's rate is η·½(1+cos(π·71/72)).
            double base = opt.equals("adam") ? 0.001 : 0.1;
            assertEquals(base * 0.5 * (1 + Math.cos(Math.PI * 71 / 72)), e2.get("learning_rate").getAsDouble(), 1e-9);
            assertTrue(j.get("test_accuracy").getAsDouble() > 0.6, j.toString());
        }
    }

    @Test
    void shadowCheckCoversAdam() {
        TestDevices.fashionMnist();
        TestDevices.openCl().close();
        CliTest.Result r = run("train", "--hidden", "32", "--epochs", "1", "--batch", "50", "--train-limit", "1000",
                "--test-limit", "200", "--optimizer", "adam", "--check-every", "4");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("check 5 steps max_rel"), r.out());
    }

    @Test
    void earlyStopIsAnnounced() {
        TestDevices.fashionMnist();
        CliTest.Result r = run("train", "--device", "cpu", "--hidden", "32", "--epochs", "30", "--batch", "20",
                "--train-limit", "400", "--test-limit", "200", "--optimizer", "adam", "--lr", "0.05",
                "--validation", "0.25", "--patience", "1");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().matches("(?s).*early stop: no lower validation loss for 1 epochs; restored epoch \\d+'s weights\n"
                + "test accuracy 0\\.\\d{4}\n.*"), r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"--optimizer rmsprop", "--momentum 1", "--momentum -0.1", "--beta1 1.5", "--beta2 1",
            "--epsilon 0", "--weight-decay -1", "--weight-decay NaN", "--schedule linear", "--schedule step:0:0.5",
            "--schedule step:2", "--validation 1", "--validation -0.1", "--patience 3", "--patience -1 --validation 0.1",
            "--validation 0.00001"})
    void badOptimizerOptionsGiveOneLineAndStatus2(String options) {
        if (options.equals("--validation 0.00001")) {
            TestDevices.fashionMnist();
        }
        CliTest.Result r = run(("train --device cpu --epochs 1 --train-limit 1000 " + options).split(" "));
        assertEquals(2, r.status(), options + " → " + r.out() + r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertFalse(err.contains("\tat "), err);
        assertTrue(err.startsWith("clprop"), err);
    }
}
