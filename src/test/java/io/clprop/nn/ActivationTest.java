package io.clprop.nn;

import io.clprop.backend.Activation;

import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CPU definitions the kernels are checked against: the newer activations' values and stable forms, and
 * every derivative written through the output agreeing with f′(z) written through z.
 */
class ActivationTest {

    @Test
    void leakyReluHasPyTorchsDefaultSlope() {
        assertEquals(3.0, Activation.LEAKY_RELU.apply(3.0));
        assertEquals(-0.03, Activation.LEAKY_RELU.apply(-3.0), 1e-17);
        assertEquals(0.01, Activation.LEAKY_RELU.derivativeFromOutput(-0.03));
        assertEquals(1.0, Activation.LEAKY_RELU.derivativeFromOutput(3.0));
    }

    @Test
    void eluIsExpm1BelowZeroWithAlphaOne() {
        assertEquals(2.5, Activation.ELU.apply(2.5));
        assertEquals(Math.exp(-2) - 1, Activation.ELU.apply(-2), 1e-16);
        assertEquals(-1.0, Activation.ELU.apply(-800)); // saturates at −α, no underflow trouble
        // Near 0, exp(z) − 1 would keep ~7 correct digits of −1e-9; expm1 keeps them all.
        assertEquals(-1e-9 + 5e-19, Activation.ELU.apply(-1e-9), 1e-24);
    }

    @Test
    void softplusIsStableAtBothEnds() {
        assertEquals(Math.log(2), Activation.SOFTPLUS.apply(0), 1e-16);
        assertEquals(Math.log1p(Math.exp(3)), Activation.SOFTPLUS.apply(3), 1e-15);
        // Large z: z itself (log(1 + e^1000) would overflow to ∞ written naively).
        assertEquals(1000.0, Activation.SOFTPLUS.apply(1000));
        assertEquals(40 + Math.exp(-40), Activation.SOFTPLUS.apply(40), 1e-14);
        // Very negative z: eᶻ to full relative precision (log(1 + 1e-300) would be 0 written naively).
        double z = -690;
        assertEquals(1.0, Activation.SOFTPLUS.apply(z) / Math.exp(z), 1e-15);
        double x = Math.exp(-30); // log(1 + x) = x − x²/2 + …
        assertEquals(x - x * x / 2, Activation.SOFTPLUS.apply(-30), 1e-15 * x);
        // Its derivative σ(z) from the output, without 1 − e^−a cancelling for tiny a.
        double a = Activation.SOFTPLUS.apply(-30);
        assertEquals(1.0, Activation.SOFTPLUS.derivativeFromOutput(a) / sigmoid(-30), 1e-12);
    }

    /** f′(z) from z, in closed form, for each activation. */
    private static double derivative(Activation f, double z) {
        switch (f) {
            case SIGMOID: return sigmoid(z) * (1 - sigmoid(z));
            case TANH: return 1 - Math.tanh(z) * Math.tanh(z);
            case RELU: return z > 0 ? 1 : 0;
            case LEAKY_RELU: return z > 0 ? 1 : Activation.LEAKY_SLOPE;
            case ELU: return z > 0 ? 1 : Math.exp(z);
            case SOFTPLUS: return sigmoid(z);
            default: return 1;
        }
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void derivativeThroughTheOutputIsTheDerivative(Activation f) {
        Well19937c rng = new Well19937c(4);
        for (int i = 0; i < 2000; i++) {
            double z = (2 * rng.nextDouble() - 1) * 12;
            double expected = derivative(f, z);
            double got = f.derivativeFromOutput(f.apply(z));
            assertEquals(expected, got, 1e-12 * Math.max(1, Math.abs(expected)), f + " at z = " + z);
        }
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void derivativeMatchesAFiniteDifferenceAwayFromKinks(Activation f) {
        for (double z = -6.05; z < 6; z += 0.1) {
            double h = 1e-6;
            double numeric = (f.apply(z + h) - f.apply(z - h)) / (2 * h);
            assertEquals(numeric, f.derivativeFromOutput(f.apply(z)), 1e-8, f + " at z = " + z);
        }
    }

    @Test
    void namesRoundTripAndHiddenExcludesIdentity() {
        for (Activation f : Activation.values()) {
            assertEquals(f, Activation.parse(f.specName()));
            assertEquals(f, Activation.parse(f.specName().toUpperCase()));
        }
        assertEquals("leaky-relu", Activation.LEAKY_RELU.specName());
        assertEquals(List.of(Activation.RELU, Activation.SIGMOID, Activation.TANH, Activation.LEAKY_RELU,
                Activation.ELU, Activation.SOFTPLUS), Activation.HIDDEN);
        assertEquals("relu, sigmoid, tanh, leaky-relu, elu or softplus", Activation.hiddenNames());
        assertThrows(IllegalArgumentException.class, () -> Activation.parse("gelu"));
    }

    /**
     * --init auto: He (normal, variance 2/in) before the rectifier-like activations, Xavier (uniform,
     * variance 2/(in+out)) before sigmoid and tanh. With in = 400 and out = 100 the variances are 5e-3 and
     * 4e-3; over 40000 weights the sample variance is within about 1% of its value.
     */
    @ParameterizedTest
    @EnumSource(value = Activation.class, names = {"RELU", "LEAKY_RELU", "ELU", "SOFTPLUS", "SIGMOID", "TANH"})
    void autoInitialisationPicksHeForRectifiersAndXavierOtherwise(Activation f) {
        NetworkSpec spec = NetworkSpec.mlp(400, new int[]{100}, f, 10, LossKind.SOFTMAX_CE);
        float[] p = Init.AUTO.parameters(spec, new Well19937c(8));
        double sum = 0, sq = 0, max = 0;
        int n = spec.biasOffset(0) - spec.weightOffset(0);
        for (int i = spec.weightOffset(0); i < spec.biasOffset(0); i++) {
            sum += p[i];
            sq += (double) p[i] * p[i];
            max = Math.max(max, Math.abs(p[i]));
        }
        double variance = sq / n - (sum / n) * (sum / n);
        boolean he = f.rectifierLike();
        assertEquals(he ? 2.0 / 400 : 2.0 / 500, variance, 0.05 * variance, f + " variance");
        // Xavier's weights are bounded by √(6/(in+out)) = 0.1095; He's normal ones pass it (0.1095 is 1.5σ).
        assertEquals(!he, max <= Math.sqrt(6.0 / 500), f + " max |w| " + max);
    }
}
