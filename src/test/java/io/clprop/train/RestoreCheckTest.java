package io.clprop.train;

import io.clprop.SyntheticData;
import io.clprop.TestDevices;
import io.clprop.backend.Backend;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.data.Dataset;
import io.clprop.nn.optim.OptimizerConfig;
import org.apache.commons.math3.random.AbstractWell;
import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.reflect.Field;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link Trainer#restore} given a state that no run of this trainer wrote — through the library, not the
 * checkpoint reader — refuses it before writing anything to the device, and the trainer goes on training
 * from its own state. Before the check, a batch order with an index outside the training set was taken,
 * and the next epoch's gather read outside the device buffer (an exception on the CPU path, a JVM abort or
 * silent garbage with OpenCL); a repeat or a generator index out of range were taken as well.
 */
class RestoreCheckTest {
    static final Dataset DATA = SyntheticData.blobs(300, 9, 3, 0.9, 5);
    static final TrainConfig CONFIG = TrainConfig.builder().hidden(8).batch(32).epochs(3).seed(3)
            .optimizer(OptimizerConfig.adam()).learningRate(0.01).build();

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl"})
    void aStateOutsideTheRunIsRefusedAndNothingIsWritten(String device) {
        try (Backend b = device.equals("cpu") ? new CpuBackend() : TestDevices.openCl();
             Trainer t = new Trainer(b, CONFIG, DATA, null)) {
            t.trainEpoch();
            TrainerState good = t.snapshot();
            assertRefused(t, good, s -> withOrder(s, 0, DATA.size()),
                    "section \"order\": value 300 at position 0 is outside 0..299");
            assertRefused(t, good, s -> withOrder(s, 0, -1), "section \"order\": value -1 at position 0 is outside");
            assertRefused(t, good, s -> withOrder(s, 1, s.order()[0]), "section \"order\": value "
                    + good.order()[0] + " at position 1 repeats position 0");
            assertRefused(t, good, s -> withRng(s, 624), "field \"rng\": index 624 is outside 0..623");
            // Unharmed: the trainer restores its own state and trains on.
            t.restore(good);
            EpochMetrics m = t.trainEpoch();
            assertTrue(Double.isFinite(m.trainLoss()), "loss " + m.trainLoss());
            assertEquals(2, t.epochsDone());
        }
    }

    private static void assertRefused(Trainer t, TrainerState good, UnaryOperator<TrainerState> edit, String expect) {
        float[] before = t.network().parameters();
        TrainerState bad = edit.apply(good);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.restore(bad));
        assertTrue(e.getMessage().contains(expect), e.getMessage());
        assertArrayEquals(before, t.network().parameters(), "nothing written to the device");
        assertEquals(1, t.epochsDone(), "nothing restored");
    }

    private static TrainerState withOrder(TrainerState s, int position, int value) {
        int[] order = s.order().clone();
        order[position] = value;
        return new TrainerState(s.epochsDone(), s.globalStep(), s.parameters(), s.optimizerStateNames(),
                s.optimizerState(), s.optimizerSteps(), s.rngState(), order, s.bestParameters(),
                s.bestValidationLoss(), s.bestEpoch(), s.epochsSinceBest(), s.history());
    }

    private static TrainerState withRng(TrainerState s, int index) {
        Well19937c g = RngState.read(s.rngState());
        try {
            Field f = AbstractWell.class.getDeclaredField("index");
            f.setAccessible(true);
            f.setInt(g, index);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
        return new TrainerState(s.epochsDone(), s.globalStep(), s.parameters(), s.optimizerStateNames(),
                s.optimizerState(), s.optimizerSteps(), RngState.write(g), s.order(), s.bestParameters(),
                s.bestValidationLoss(), s.bestEpoch(), s.epochsSinceBest(), s.history());
    }
}
