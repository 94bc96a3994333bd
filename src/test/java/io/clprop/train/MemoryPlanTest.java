package io.clprop.train;

import io.clprop.SyntheticData;
import io.clprop.TestDevices;
import io.clprop.backend.MemoryLimits;
import io.clprop.backend.TransferStats;
import io.clprop.backend.opencl.OpenClBackend;
import io.clprop.data.Dataset;
import io.clprop.nn.Activation;
import io.clprop.nn.Init;
import io.clprop.nn.LossKind;
import io.clprop.nn.NetworkSpec;
import io.clprop.util.UserError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory plan lists exactly what a trainer allocates, and a device too small for it is refused with the
 * sizes needed and available before anything is allocated or uploaded.
 */
class MemoryPlanTest {
    @AfterEach
    void noLimit() {
        System.clearProperty(MemoryLimits.PROPERTY);
    }

    private static TrainConfig config(LossKind loss, int batch) {
        return new TrainConfig(new int[]{9, 6}, Activation.TANH, loss, 0.1f, batch, 1, 0, 1, Init.AUTO);
    }

    private static MemoryPlan plan(TrainConfig c, Dataset train, Dataset test, int maxRows) {
        NetworkSpec spec = NetworkSpec.mlp(train.featureCount(), c.hidden(), c.activations(), train.numClasses(), c.loss());
        ValidationSplit split = ValidationSplit.of(train, c.validation(), c.seed());
        return MemoryPlan.forTrainer(spec, c, split.train(), split.validation(), test, maxRows);
    }

    private static void assertPlanIsWhatTheTrainerAllocates(TrainConfig c, Dataset train, Dataset test) {
        try (OpenClBackend b = TestDevices.openCl()) {
            long bytes = b.liveBytes();
            int buffers = b.liveBuffers();
            try (Trainer t = new Trainer(b, c, train, test)) {
                MemoryPlan p = plan(c, train, test, t.network().maxRows());
                assertEquals(p.totalBytes(), b.liveBytes() - bytes, "device bytes: plan " + p.buffers());
                assertEquals(p.buffers().size(), b.liveBuffers() - buffers, "buffers");
            }
        }
    }

    /** With optimizer state, a validation set (evaluated in chunks) and early stopping's best weights. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"ADAM, MSE", "MOMENTUM, SOFTMAX_CE", "NESTEROV, MSE"})
    void countsOptimizerStateValidationAndBestWeights(io.clprop.nn.optim.OptimizerConfig.Kind kind, LossKind loss) {
        Dataset train = SyntheticData.blobs(2600, 13, 4, 0.3, 1);
        Dataset test = SyntheticData.blobs(333, 13, 4, 0.3, 2);
        TrainConfig c = config(loss, 32).toBuilder().optimizer(io.clprop.nn.optim.OptimizerConfig.of(kind))
                .validation(0.45).patience(2).build();
        assertPlanIsWhatTheTrainerAllocates(c, train, test);
    }

    /** Test sets above and below Trainer.Evaluator.CHUNK_ROWS, both losses (MSE adds targets), no test set, odd sizes. */
    @ParameterizedTest(name = "{0} train={1} test={2} batch={3}")
    @CsvSource({"SOFTMAX_CE, 301, 1103, 16", "MSE, 300, 50, 64", "SOFTMAX_CE, 97, 0, 7", "MSE, 1, 0, 1"})
    void listsExactlyWhatTheTrainerAllocates(LossKind loss, int n, int m, int batch) {
        Dataset train = SyntheticData.blobs(n, 13, 4, 0.3, 1);
        Dataset test = m == 0 ? null : SyntheticData.blobs(m, 13, 4, 0.3, 2);
        TrainConfig c = config(loss, batch);
        assertPlanIsWhatTheTrainerAllocates(c, train, test);
    }

    /** Dropout adds one buffer of batch rows per hidden layer (the dropped outputs), and nothing when off. */
    @ParameterizedTest(name = "{0} batch={1}")
    @CsvSource({"SOFTMAX_CE, 16", "MSE, 7"})
    void countsDropoutBuffers(LossKind loss, int batch) {
        Dataset train = SyntheticData.blobs(301, 13, 4, 0.3, 1);
        Dataset test = SyntheticData.blobs(1103, 13, 4, 0.3, 2);
        TrainConfig c = config(loss, batch).toBuilder().dropout(0.25).build();
        assertPlanIsWhatTheTrainerAllocates(c, train, test);
        MemoryPlan with = plan(c, train, test, 1000), without = plan(config(loss, batch), train, test, 1000);
        assertEquals(4L * batch * (9 + 6), with.totalBytes() - without.totalBytes());
    }

    @Test
    void tooSmallDeviceIsRefusedBeforeAnyAllocation() {
        Dataset train = SyntheticData.blobs(200, 13, 4, 0.3, 1);
        Dataset test = SyntheticData.blobs(50, 13, 4, 0.3, 2);
        TrainConfig c = config(LossKind.MSE, 16);
        long needed = plan(c, train, test, 50).totalBytes();
        try (OpenClBackend b = TestDevices.openCl()) {
            int buffers = b.liveBuffers();
            TransferStats before = b.transfers().snapshot();
            System.setProperty(MemoryLimits.PROPERTY, Long.toString(needed - 1));

            UserError e = assertThrows(UserError.class, () -> new Trainer(b, c, train, test).close());

            String msg = e.getMessage();
            assertTrue(msg.startsWith("not enough device memory: training needs " + MemoryPlan.sized(needed)), msg);
            assertTrue(msg.contains("but " + b.device().summary() + " has " + MemoryPlan.sized(needed - 1)), msg);
            assertTrue(msg.contains(MemoryLimits.PROPERTY + "=" + (needed - 1)), "says where the limit came from: " + msg);
            assertTrue(msg.contains("--train-limit"), "says what to do: " + msg);
            assertEquals(buffers, b.liveBuffers(), "nothing allocated");
            assertEquals(0, b.transfers().since(before).hostToDeviceBytes(), "nothing uploaded");

            System.setProperty(MemoryLimits.PROPERTY, Long.toString(needed)); // exactly enough
            assertDoesNotThrow(() -> new Trainer(b, c, train, test).close());
        }
    }

    @Test
    void oneBufferAboveTheLargestAllocationIsRefused() {
        Dataset train = SyntheticData.blobs(200, 13, 4, 0.3, 1);
        MemoryPlan p = plan(config(LossKind.SOFTMAX_CE, 16), train, null, 16);
        long largest = 4L * 200 * 13; // the training features
        assertEquals(largest, p.buffers().stream().mapToLong(MemoryPlan.Buffer::bytes).max().orElseThrow());

        UserError e = assertThrows(UserError.class,
                () -> p.check(new MemoryLimits("dev", Long.MAX_VALUE, largest - 4, "as reported")));
        assertTrue(e.getMessage().contains("the training features need one buffer of " + MemoryPlan.sized(largest)
                + " but dev allows at most " + MemoryPlan.sized(largest - 4) + " per buffer"), e.getMessage());
        assertDoesNotThrow(() -> p.check(new MemoryLimits("dev", p.totalBytes(), largest, "as reported")));
    }

    @Test
    void groupsAddUpToTheTotal() {
        MemoryPlan p = plan(config(LossKind.MSE, 8), SyntheticData.blobs(40, 5, 3, 0.3, 1),
                SyntheticData.blobs(9, 5, 3, 0.3, 2), 9);
        assertEquals(p.totalBytes(), p.byGroup().values().stream().mapToLong(Long::longValue).sum());
        assertEquals(3, p.byGroup().size(), p.byGroup().toString());
    }
}
