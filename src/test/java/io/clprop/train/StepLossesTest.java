package io.clprop.train;

import io.clprop.backend.Tensor;
import io.clprop.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The epoch's loss buffer: one slot per step and the divergence flag after them, so one read brings both;
 * the flag is raised by a non-finite loss among the steps done or a non-finite weight, and only by those.
 */
class StepLossesTest {
    static final int STEPS = 5;

    /** The buffer as the steps' loss kernels leave it, flag clear. */
    private static void write(CpuBackend b, StepLosses losses, float... perStep) {
        float[] all = new float[STEPS + 1];
        System.arraycopy(perStep, 0, all, 0, perStep.length);
        b.write(losses.buffer(), all);
    }

    @Test
    void theFlagIsTheSlotAfterTheSteps() {
        try (CpuBackend b = new CpuBackend(); StepLosses losses = new StepLosses(b, STEPS)) {
            assertEquals(STEPS, losses.flagSlot());
            assertEquals(STEPS + 1, losses.buffer().size());
        }
    }

    @Test
    void oneReadBringsTheLossesAndAClearFlag() {
        try (CpuBackend b = new CpuBackend(); StepLosses losses = new StepLosses(b, STEPS)) {
            Tensor weights = b.allocate(1, 4);
            write(b, losses, 0.5f, 0.4f, 0.3f, 0.2f, 0.1f);
            losses.flagNonFinite(STEPS, weights);
            StepLosses.Read read = losses.read();
            assertArrayEquals(new float[]{0.5f, 0.4f, 0.3f, 0.2f, 0.1f}, read.losses());
            assertFalse(read.diverged());
            assertFalse(losses.flagRaised());
            b.free(weights);
        }
    }

    @Test
    void aNonFiniteLossAmongTheStepsDoneRaisesTheFlag() {
        try (CpuBackend b = new CpuBackend(); StepLosses losses = new StepLosses(b, STEPS)) {
            Tensor weights = b.allocate(1, 4);
            write(b, losses, 0.5f, 0.4f, Float.POSITIVE_INFINITY, 0.2f, 0.1f);
            losses.flagNonFinite(2, weights);
            assertFalse(losses.flagRaised(), "step 3 is not among the first two");
            losses.flagNonFinite(3, weights);
            assertTrue(losses.flagRaised());
            StepLosses.Read read = losses.read();
            assertTrue(read.diverged());
            assertEquals(Float.POSITIVE_INFINITY, read.losses()[2]);
            b.free(weights);
        }
    }

    @Test
    void aNonFiniteWeightRaisesTheFlag() {
        try (CpuBackend b = new CpuBackend(); StepLosses losses = new StepLosses(b, STEPS)) {
            Tensor weights = b.allocate(1, 4);
            b.write(weights, new float[]{1, Float.NaN, 3, 4});
            write(b, losses, 0.5f);
            losses.flagNonFinite(1, weights);
            assertTrue(losses.read().diverged());
            b.free(weights);
        }
    }
}
