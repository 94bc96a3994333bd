package io.clprop.train;

import io.clprop.SyntheticData;
import io.clprop.TestDevices;
import io.clprop.backend.Backend;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.data.Dataset;
import io.clprop.nn.LayerList;
import io.clprop.nn.optim.OptimizerConfig;
import io.clprop.util.ImageShape;
import io.clprop.util.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A convolutional network's run interrupted after epoch 1 and resumed from its checkpoint ends with exactly
 * the weights and losses of a run never interrupted, bit for bit, on the CPU path and on the device; as
 * {@link CheckpointResumeTest} shows for MLPs, with every piece of carried state: Adam's moments and step
 * count, the cosine schedule, the batch order, dropout's step count and early stopping's best weights.
 */
class CnnCheckpointResumeTest {
    static final ImageShape SHAPE = new ImageShape(2, 7, 6);
    static final Dataset DATA = SyntheticData.images(300, SHAPE, 4, 0.9, 21);
    static final Dataset TEST = SyntheticData.images(100, SHAPE, 4, 0.9, 22);
    static final String LAYERS = "conv:3:3:pad1,relu,maxpool:2,conv:5:2:stride2:pad1,tanh,flatten,dense:4";
    static final TrainConfig CONFIG = TrainConfig.builder().layers(LayerList.parse(LAYERS)).batch(32).epochs(3).seed(9)
            .optimizer(OptimizerConfig.adam().withWeightDecay(1e-4f)).learningRate(0.01)
            .schedule(new LrSchedule.Cosine()).validation(0.2).patience(3).dropout(0.2).build();

    private static float[] uninterrupted(Supplier<Backend> backend, List<EpochMetrics> history) {
        try (Backend b = backend.get(); Trainer t = new Trainer(b, CONFIG, DATA, TEST)) {
            t.fit(m -> { });
            history.addAll(t.history());
            return t.network().parameters();
        }
    }

    private static float[] interruptedAndResumed(Supplier<Backend> backend, Path file, List<EpochMetrics> history) {
        try (Backend b = backend.get(); Trainer t = new Trainer(b, CONFIG, DATA, TEST)) {
            assertThrows(CheckpointResumeTest.Interrupt.class, () -> t.fit(TrainingProgress.none(), file, m -> {
                if (m.epoch() == 1) {
                    throw new CheckpointResumeTest.Interrupt();
                }
            }));
        }
        try (Backend b = backend.get(); Trainer t = new Trainer(b, CONFIG, DATA, TEST)) {
            assertEquals(List.of(), t.resume(file));
            assertEquals(1, t.epochsDone());
            t.fit(TrainingProgress.none(), file, m -> { });
            history.addAll(t.history());
            return t.network().parameters();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl"})
    void resumedRunEqualsUninterruptedBitForBit(String device, @TempDir Path dir) {
        Supplier<Backend> backend = device.equals("cpu") ? CpuBackend::new : TestDevices::openCl;
        List<EpochMetrics> whole = new ArrayList<>(), resumed = new ArrayList<>();
        float[] expected = uninterrupted(backend, whole);
        float[] actual = interruptedAndResumed(backend, dir.resolve("cnn.ckpt"), resumed);
        assertEquals(3, whole.size());
        assertArrayEquals(expected, actual, device + ": interrupted after epoch 1");
        assertEquals(whole.size(), resumed.size());
        for (int e = 0; e < whole.size(); e++) {
            assertEquals(whole.get(e).trainLoss(), resumed.get(e).trainLoss(), "epoch " + (e + 1) + " loss");
            assertEquals(whole.get(e).validationLoss(), resumed.get(e).validationLoss());
        }
        assertTrue(whole.get(2).trainLoss() < whole.get(0).trainLoss(), "it learns: " + whole);
    }

    /** A checkpoint of one convolutional network does not resume another, and says which layers differ. */
    @Test
    void aCheckpointOfOtherLayersIsRefused(@TempDir Path dir) {
        Path file = dir.resolve("a.ckpt");
        try (Backend b = new CpuBackend(); Trainer t = new Trainer(b, CONFIG, DATA, TEST)) {
            assertThrows(CheckpointResumeTest.Interrupt.class, () -> t.fit(TrainingProgress.none(), file, m -> {
                throw new CheckpointResumeTest.Interrupt();
            }));
        }
        TrainConfig other = CONFIG.toBuilder().layers(LayerList.parse(LAYERS.replace("conv:5:2", "conv:7:2"))).build();
        try (Backend b = new CpuBackend(); Trainer t = new Trainer(b, other, DATA, TEST)) {
            UserError e = assertThrows(UserError.class, () -> t.resume(file));
            assertTrue(e.getMessage().contains("conv:5:2") && e.getMessage().contains("conv:7:2"), e.getMessage());
        }
    }
}
