package io.clprop.train;

import io.clprop.backend.Backend;
import io.clprop.backend.Tensor;
import io.clprop.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Early stopping's bookkeeping on hand-made validation losses, with "weights" that stand for each epoch's
 * (epoch e's weights are all e): which epoch is best, when patience runs out, and which weights the network
 * is left with.
 */
class EarlyStoppingTest {
    private static void train(Backend b, Tensor weights, int epoch) {
        b.write(weights, new float[]{epoch, epoch, epoch});
    }

    @Test
    void stopsWhenPatienceRunsOutAndPutsTheBestWeightsBack() {
        double[] losses = {1.0, 0.8, 0.9, 0.85};
        try (CpuBackend b = new CpuBackend()) {
            Tensor weights = b.allocate(1, 3);
            try (EarlyStopping es = new EarlyStopping(b, weights, 2)) {
                for (int e = 1; e <= losses.length; e++) {
                    assertFalse(es.stopped(), "stopped before epoch " + e);
                    train(b, weights, e);
                    es.record(e, losses[e - 1]);
                }
                assertTrue(es.stopped(), "two epochs without a lower loss than epoch 2's");
                assertEquals(2, es.bestEpoch());
                assertEquals(0.8, es.bestLoss());
                assertEquals(2, es.epochsSinceBest());
                assertArrayEquals(new float[]{2, 2, 2}, b.read(weights), "epoch 2's weights put back");
                assertArrayEquals(new float[]{2, 2, 2}, es.bestWeights());
            }
            b.free(weights);
        }
    }

    @Test
    void anEqualLossIsNoImprovement() {
        try (CpuBackend b = new CpuBackend()) {
            Tensor weights = b.allocate(1, 3);
            try (EarlyStopping es = new EarlyStopping(b, weights, 1)) {
                train(b, weights, 1);
                es.record(1, 0.5);
                train(b, weights, 2);
                es.record(2, 0.5);
                assertTrue(es.stopped());
                assertEquals(1, es.bestEpoch());
                assertArrayEquals(new float[]{1, 1, 1}, b.read(weights));
            }
            b.free(weights);
        }
    }

    @Test
    void withoutPatienceItTracksTheBestEpochKeepsNoWeightsAndNeverStops() {
        try (CpuBackend b = new CpuBackend()) {
            Tensor weights = b.allocate(1, 3);
            try (EarlyStopping es = new EarlyStopping(b, weights, 0)) {
                assertEquals(0, es.bestEpoch(), "none recorded yet");
                assertEquals(Double.POSITIVE_INFINITY, es.bestLoss());
                double[] losses = {0.9, 0.7, 0.8, 0.9, 1.0, 1.1};
                for (int e = 1; e <= losses.length; e++) {
                    train(b, weights, e);
                    es.record(e, losses[e - 1]);
                }
                assertFalse(es.stopped());
                assertEquals(2, es.bestEpoch());
                assertEquals(4, es.epochsSinceBest());
                assertNull(es.bestWeights());
                assertArrayEquals(new float[]{6, 6, 6}, b.read(weights), "the network's weights untouched");
            }
            b.free(weights);
        }
    }

    @Test
    void aRestoredStateContinuesTheCount() {
        try (CpuBackend b = new CpuBackend()) {
            Tensor weights = b.allocate(1, 3);
            try (EarlyStopping es = new EarlyStopping(b, weights, 3)) {
                es.restore(new float[]{4, 5, 6}, 0.25, 4, 2);
                assertFalse(es.stopped(), "two epochs since the best, patience three");
                assertArrayEquals(new float[]{4, 5, 6}, es.bestWeights());
                train(b, weights, 7);
                es.record(7, 0.3);
                assertTrue(es.stopped(), "the third epoch without improvement");
                assertArrayEquals(new float[]{4, 5, 6}, b.read(weights), "the restored best weights put back");
            }
            try (EarlyStopping es = new EarlyStopping(b, weights, 3)) {
                es.restore(new float[]{4, 5, 6}, 0.25, 4, 3);
                assertTrue(es.stopped(), "a run checkpointed after it stopped early stays stopped");
            }
            b.free(weights);
        }
    }
}
