package io.clprop.cli;

import io.clprop.SyntheticData;
import io.clprop.TestDevices;
import io.clprop.backend.MemoryLimits;
import io.clprop.backend.opencl.OpenClBackend;
import io.clprop.data.Dataset;
import io.clprop.data.IdxFiles;
import io.clprop.data.MnistFolder;
import io.clprop.nn.NetworkSpec;
import io.clprop.train.MemoryPlan;
import io.clprop.train.TrainConfig;
import io.clprop.util.UserError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `clprop train` on a device too small for the run (made so with the {@value MemoryLimits#PROPERTY} knob):
 * status 2 and one line with the bytes needed and available, before any output or file.
 */
class DeviceMemoryCliTest {
    @AfterEach
    void noLimit() {
        System.clearProperty(MemoryLimits.PROPERTY);
    }

    /** The remedy past the one-line cut above, as the command line shows it: every setting by its option. */
    @Test
    void theRemediesNameTheOptions() {
        Dataset train = SyntheticData.blobs(50, 12, 3, 0.3, 1);
        TrainConfig config = TrainConfig.defaults().withBatchSize(8);
        MemoryPlan plan = MemoryPlan.forTrainer(NetworkSpec.mlp(12, config.hidden(), config.activations(), 3,
                config.loss()), config, train, null, null, 8);
        UserError device = assertThrows(UserError.class, () -> plan.check(new MemoryLimits("a device", 1, 1, "test",
                MemoryLimits.Kind.DEVICE)));
        assertTrue(OptionNames.render(device.text()).endsWith("; use fewer samples (--train-limit, --test-limit), "
                + "a smaller --batch or --hidden, a device with more memory, or --device cpu"), device.text());
        UserError heap = assertThrows(UserError.class, () -> plan.check(new MemoryLimits("cpu", 1, Long.MAX_VALUE,
                "test", MemoryLimits.Kind.JAVA_HEAP)));
        assertTrue(OptionNames.render(heap.text()).contains("; use fewer samples (--train-limit, --test-limit), "
                + "a smaller --batch or --hidden, or a larger -Xmx ("), heap.text());
    }

    @Test
    void tooSmallDeviceGivesBothSizes(@TempDir Path data, @TempDir Path out) {
        String device;
        try (OpenClBackend b = TestDevices.openCl()) {
            device = b.device().summary();
        }
        IdxFiles.writeMnistFolder(data, false, 120, 30, 4, 3);
        MnistFolder.TrainTest tt = MnistFolder.load(data);
        TrainConfig config = TrainConfig.defaults().withBatchSize(8);
        NetworkSpec spec = NetworkSpec.mlp(12, config.hidden(), config.activations(), 10, config.loss());
        // The trainer's activation buffers hold the larger of a batch and the (small) test set.
        long needed = MemoryPlan.forTrainer(spec, config, tt.train(), null, tt.test(), 30).totalBytes();
        long limit = needed / 2;
        System.setProperty(MemoryLimits.PROPERTY, Long.toString(limit));

        CliTest.Result r = CliTest.run("train", "--device", "opencl", "--data", data.toString(), "--batch", "8",
                "--epochs", "1", "--metrics-json", out.resolve("m.json").toString());

        BadInput.assertRejected(r, out, "not enough device memory", "training needs " + MemoryPlan.sized(needed),
                "but " + device + " has " + MemoryPlan.sized(limit),
                "use fewer samples (--train-limit, --test-limit), a smaller --batch"); // the rest passes the cut
    }

    @Test
    void theCpuPathHasNoDeviceLimit(@TempDir Path data, @TempDir Path out) {
        IdxFiles.writeMnistFolder(data, false, 120, 30, 4, 3);
        System.setProperty(MemoryLimits.PROPERTY, "1");
        CliTest.Result r = CliTest.run("train", "--device", "cpu", "--data", data.toString(), "--batch", "8",
                "--hidden", "5", "--epochs", "1", "--metrics-json", out.resolve("m.json").toString());
        assertEquals(0, r.status(), r.err());
    }
}
