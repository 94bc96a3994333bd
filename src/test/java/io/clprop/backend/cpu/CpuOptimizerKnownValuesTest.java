package io.clprop.backend.cpu;

import io.clprop.backend.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.clprop.backend.TestTensors.assertWithinUlps;
import static io.clprop.backend.TestTensors.matrix;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The optimizer updates on the CPU twin against PyTorch's formulas (Backend's javadoc) worked out by hand
 * for one or two steps, with and without L2 weight decay g′ = g + wd·θ.
 *
 * <p>Tolerances: learning rates, momenta, β and ε are chosen dyadic (½, ¾, 1) so that every intermediate is
 * exact in double and every hand value a float: compared exactly (delta 0). The one case with PyTorch's
 * default hyperparameters (0.9, 0.999, 1e-8) is allowed 1 float ulp.
 */
class CpuOptimizerKnownValuesTest {
    private final CpuBackend cpu = new CpuBackend();

    @AfterEach
    void close() {
        cpu.close();
    }

    // θ = [1, −2] and g = [0.5, 0.25] for SGD and momentum; lr = ½, μ = ½.
    private static final float[] THETA = {1, -2};
    private static final float[] G = {0.5f, 0.25f};

    @Test
    void sgdSubtractsTheScaledGradient() {
        // θ − ½g = [1 − 0.25, −2 − 0.125] = [0.75, −2.125].
        Tensor p = matrix(cpu, 1, 2, THETA);
        cpu.sgdUpdate(p, matrix(cpu, 1, 2, G), 0.5f, 0);
        assertArrayEquals(new float[]{0.75f, -2.125f}, cpu.read(p), 0f);
    }

    @Test
    void sgdWithWeightDecayAddsItToTheGradient() {
        // g′ = g + ½θ = [0.5 + 0.5, 0.25 − 1] = [1, −0.75]; θ − ½g′ = [0.5, −1.625].
        Tensor p = matrix(cpu, 1, 2, THETA);
        cpu.sgdUpdate(p, matrix(cpu, 1, 2, G), 0.5f, 0.5f);
        assertArrayEquals(new float[]{0.5f, -1.625f}, cpu.read(p), 0f);
    }

    /** Two steps with the same gradient from v = 0; returns {θ, v} after each step: {θ1, v1, θ2, v2}. */
    private float[][] twoMomentumSteps(float weightDecay, boolean nesterov) {
        Tensor p = matrix(cpu, 1, 2, THETA), g = matrix(cpu, 1, 2, G), v = cpu.allocate(1, 2);
        cpu.momentumUpdate(p, g, v, 0.5f, 0.5f, weightDecay, nesterov);
        float[] p1 = cpu.read(p), v1 = cpu.read(v);
        cpu.momentumUpdate(p, g, v, 0.5f, 0.5f, weightDecay, nesterov);
        return new float[][]{p1, v1, cpu.read(p), cpu.read(v)};
    }

    @Test
    void momentumAccumulatesVelocityOverTwoSteps() {
        // Step 1: v = ½·0 + g = [0.5, 0.25]; θ −= ½v → [0.75, −2.125].
        // Step 2: v = ½[0.5,0.25] + g = [0.75, 0.375]; θ −= ½v → [0.75 − 0.375, −2.125 − 0.1875] = [0.375, −2.3125].
        float[][] s = twoMomentumSteps(0, false);
        assertArrayEquals(new float[]{0.75f, -2.125f}, s[0], 0f);
        assertArrayEquals(new float[]{0.5f, 0.25f}, s[1], 0f);
        assertArrayEquals(new float[]{0.375f, -2.3125f}, s[2], 0f);
        assertArrayEquals(new float[]{0.75f, 0.375f}, s[3], 0f);
    }

    @Test
    void nesterovStepsByTheGradientPlusMomentumTimesTheNewVelocity() {
        // Step 1: v = g = [0.5, 0.25]; θ −= ½(g + ½v) = ½[0.75, 0.375] → [0.625, −2.1875].
        // Step 2: v = [0.75, 0.375]; θ −= ½(g + ½v) = ½[0.875, 0.4375] → [0.1875, −2.40625].
        float[][] s = twoMomentumSteps(0, true);
        assertArrayEquals(new float[]{0.625f, -2.1875f}, s[0], 0f);
        assertArrayEquals(new float[]{0.5f, 0.25f}, s[1], 0f);
        assertArrayEquals(new float[]{0.1875f, -2.40625f}, s[2], 0f);
        assertArrayEquals(new float[]{0.75f, 0.375f}, s[3], 0f);
    }

    @Test
    void momentumWithWeightDecayTakesTheDecayIntoTheVelocity() {
        // Step 1: g′ = g + ½θ = [1, −0.75] = v; θ −= ½v → [0.5, −1.625].
        // Step 2: g′ = [0.5 + 0.25, 0.25 − 0.8125] = [0.75, −0.5625]; v = ½[1,−0.75] + g′ = [1.25, −0.9375];
        // θ −= ½v → [0.5 − 0.625, −1.625 + 0.46875] = [−0.125, −1.15625].
        float[][] s = twoMomentumSteps(0.5f, false);
        assertArrayEquals(new float[]{0.5f, -1.625f}, s[0], 0f);
        assertArrayEquals(new float[]{1, -0.75f}, s[1], 0f);
        assertArrayEquals(new float[]{-0.125f, -1.15625f}, s[2], 0f);
        assertArrayEquals(new float[]{1.25f, -0.9375f}, s[3], 0f);
    }

    @Test
    void nesterovWithWeightDecayUsesTheDecayedGradientInTheStep() {
        // Step 1: g′ = [1, −0.75] = v; θ −= ½(g′ + ½v) = ½[1.5, −1.125] → [0.25, −1.4375].
        // Step 2: g′ = [0.5 + 0.125, 0.25 − 0.71875] = [0.625, −0.46875]; v = ½[1,−0.75] + g′ = [1.125, −0.84375];
        // θ −= ½(g′ + ½v) = ½[1.1875, −0.890625] → [0.25 − 0.59375, −1.4375 + 0.4453125] = [−0.34375, −0.9921875].
        float[][] s = twoMomentumSteps(0.5f, true);
        assertArrayEquals(new float[]{0.25f, -1.4375f}, s[0], 0f);
        assertArrayEquals(new float[]{1, -0.75f}, s[1], 0f);
        assertArrayEquals(new float[]{-0.34375f, -0.9921875f}, s[2], 0f);
        assertArrayEquals(new float[]{1.125f, -0.84375f}, s[3], 0f);
    }

    // Adam with lr = ½, β1 = ½, β2 = ¾, ε = 1 from θ = [1, −2], m = s = 0.

    @Test
    void adamTakesTwoBiasCorrectedSteps() {
        // g = [1, −3] both steps.
        // Step 1 (c1 = 1 − ½ = ½, c2 = 1 − ¾ = ¼): m = ½g = [0.5, −1.5]; s = ¼g² = [0.25, 2.25];
        // m/c1 = [1, −3], √(s/c2) = [1, 3]; θ −= ½·[1/(1+1), −3/(3+1)] = [0.25, −0.375] → [0.75, −1.625].
        // Step 2 (c1 = 1 − ¼ = ¾, c2 = 1 − 9/16 = 7/16): m = ½m + ½g = [0.75, −2.25]; s = ¾s + ¼g² =
        // [0.1875 + 0.25, 1.6875 + 2.25] = [0.4375, 3.9375]; m/c1 = [1, −3], s/c2 = [1, 9] (a constant gradient is
        // recovered exactly); θ −= [0.25, −0.375] → [0.5, −1.25].
        Tensor p = matrix(cpu, 1, 2, THETA), g = matrix(cpu, 1, 2, 1, -3), m = cpu.allocate(1, 2), s = cpu.allocate(1, 2);
        cpu.adamUpdate(p, g, m, s, 0.5f, 0.5f, 0.75f, 1, 0, 0.5f, 0.25f);
        assertArrayEquals(new float[]{0.75f, -1.625f}, cpu.read(p), 0f);
        assertArrayEquals(new float[]{0.5f, -1.5f}, cpu.read(m), 0f);
        assertArrayEquals(new float[]{0.25f, 2.25f}, cpu.read(s), 0f);
        cpu.adamUpdate(p, g, m, s, 0.5f, 0.5f, 0.75f, 1, 0, 0.75f, 0.4375f);
        assertArrayEquals(new float[]{0.5f, -1.25f}, cpu.read(p), 0f);
        assertArrayEquals(new float[]{0.75f, -2.25f}, cpu.read(m), 0f);
        assertArrayEquals(new float[]{0.4375f, 3.9375f}, cpu.read(s), 0f);
    }

    @Test
    void adamWithWeightDecayAddsItToTheGradientBeforeTheMoments() {
        // L2 (PyTorch's Adam, not AdamW): g′ = [0.5, −2] + ½[1, −2] = [1, −3], then step 1 as above.
        Tensor p = matrix(cpu, 1, 2, THETA), m = cpu.allocate(1, 2), s = cpu.allocate(1, 2);
        cpu.adamUpdate(p, matrix(cpu, 1, 2, 0.5f, -2), m, s, 0.5f, 0.5f, 0.75f, 1, 0.5f, 0.5f, 0.25f);
        assertArrayEquals(new float[]{0.75f, -1.625f}, cpu.read(p), 0f);
        assertArrayEquals(new float[]{0.5f, -1.5f}, cpu.read(m), 0f);
        assertArrayEquals(new float[]{0.25f, 2.25f}, cpu.read(s), 0f);
    }

    @Test
    void adamFirstStepWithPyTorchDefaultsMovesEachParameterByTheLearningRate() {
        // β1 = 0.9, β2 = 0.999, ε = 1e-8, c1 = 1 − β1, c2 = 1 − β2 (as floats, as the optimizer passes them):
        // m/c1 = g and √(s/c2) = |g|, so θ −= 10⁻³·g/(|g| + 10⁻⁸) ≈ 10⁻³·sign(g): [0.999, −1.999] (1 ulp).
        Tensor p = matrix(cpu, 1, 2, THETA), m = cpu.allocate(1, 2), s = cpu.allocate(1, 2);
        cpu.adamUpdate(p, matrix(cpu, 1, 2, 2, -0.5f), m, s, 1e-3f, 0.9f, 0.999f, 1e-8f, 0, 1 - 0.9f, 1 - 0.999f);
        assertWithinUlps(new double[]{0.999, -1.999}, cpu.read(p), 1, "params");
    }
}
