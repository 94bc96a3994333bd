package io.clprop.nn;

import io.clprop.backend.Activation;
import io.clprop.backend.DropoutMask;

import io.clprop.verify.GradCheck;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.verify.Comparison;
import io.clprop.verify.StepReplay;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Backpropagation against central finite differences, both in double precision, for every hidden
 * activation × loss pair; error ≤ 1e-6 per element (see {@link GradCheck} for the measure and why).
 *
 * <p>relu and leaky-relu have a kink at z = 0 (one-sided slopes 0 and 1, 0.01 and 1): a central difference
 * whose ±h step straddles it is off by about the slope jump. Like relu's, leaky-relu's cases rely on no
 * pre-activation of these fixed problems lying within h·|∂z/∂θ| (about 1e-5) of 0; if one did, the case
 * would fail, not pass wrongly. elu with α = 1 is continuously differentiable (slope 1 on both sides of 0)
 * and softplus is smooth, so their differences have no such caveat.
 */
class GradCheckTest {

    static Stream<Arguments> pairs() {
        return Activation.HIDDEN.stream()
                .flatMap(f -> Stream.of(LossKind.values()).map(l -> Arguments.of(f, l)));
    }

    @ParameterizedTest(name = "{0} + {1}")
    @MethodSource("pairs")
    void analyticGradientsMatchFiniteDifferences(Activation f, LossKind loss) {
        // Awkward widths (5 → 4 → 6 → 3), three rows, two hidden layers so the chain rule runs through a
        // hidden-to-hidden product.
        NetworkSpec spec = NetworkSpec.mlp(5, new int[]{4, 6}, f, 3, loss);
        List<Comparison> errors = GradCheck.cpuDouble(spec, 3, 7);
        assertEquals(6, errors.size());
        for (Comparison e : errors) {
            assertTrue(e.passed(), f + "/" + loss + " " + e.where() + ": error " + e.maxRel());
        }
    }

    @ParameterizedTest(name = "tanh,relu,sigmoid + {0}")
    @org.junit.jupiter.params.provider.EnumSource(LossKind.class)
    void perLayerActivationsBackpropagate(LossKind loss) {
        NetworkSpec spec = NetworkSpec.mlp(4, new int[]{5, 3, 4},
                new Activation[]{Activation.TANH, Activation.RELU, Activation.SIGMOID}, 2, loss);
        assertEquals(Activation.RELU, spec.layers().get(1).activation());
        for (Comparison e : GradCheck.cpuDouble(spec, 4, 9)) {
            assertTrue(e.passed(), loss + " " + e.where() + ": error " + e.maxRel());
        }
    }

    /**
     * With inverted dropout on both hidden layers: the mask of a fixed step is a fixed function, so the loss
     * is a function of θ again and the differences check the dropout backward pass (mask and scale applied
     * to the gradient, f′ taken from the activation before dropout — f′ from the dropped one is wrong for
     * sigmoid and tanh, and the scale alone is wrong for all). 7 rows of widths 6 and 5 at P = 0.4: the
     * mask drops some units and keeps others in each layer, checked below so the case tests something.
     */
    @ParameterizedTest(name = "dropout {0} + {1}")
    @MethodSource("pairs")
    void dropoutGradientsMatchFiniteDifferences(Activation f, LossKind loss) {
        NetworkSpec spec = NetworkSpec.mlp(5, new int[]{6, 5}, f, 3, loss);
        int rows = 7;
        DropoutMask mask = new Dropout(0.4, 3).mask(11);
        for (int layer = 0; layer < 2; layer++) {
            int kept = 0, n = rows * spec.layers().get(layer).units();
            for (int i = 0; i < n; i++) {
                kept += mask.keep(layer, i) ? 1 : 0;
            }
            assertTrue(kept > 0 && kept < n, "layer " + layer + " keeps " + kept + " of " + n);
        }
        List<Comparison> errors = GradCheck.cpuDouble(spec, rows, 7, mask);
        assertEquals(6, errors.size());
        for (Comparison e : errors) {
            assertTrue(e.passed(), "dropout " + f + "/" + loss + " " + e.where() + ": error " + e.maxRel());
        }
        // And dropout changes the gradients (a network that ignored the mask would pass the line above only
        // if the mask did nothing).
        GradCheck.Problem p = GradCheck.problem(spec, rows, 7);
        double[] with = GradCheck.analyticCpuDouble(p, mask), without = GradCheck.analyticCpuDouble(p);
        double diff = 0;
        for (int i = 0; i < with.length; i++) {
            diff = Math.max(diff, Math.abs(with[i] - without[i]));
        }
        assertTrue(diff > 1e-3, "dropout changed the gradients by only " + diff);
    }

    @ParameterizedTest(name = "leaky-relu,elu,softplus + {0}")
    @org.junit.jupiter.params.provider.EnumSource(LossKind.class)
    void theNewerActivationsBackpropagateThroughEachOther(LossKind loss) {
        NetworkSpec spec = NetworkSpec.mlp(4, new int[]{5, 3, 4},
                new Activation[]{Activation.LEAKY_RELU, Activation.ELU, Activation.SOFTPLUS}, 2, loss);
        for (Comparison e : GradCheck.cpuDouble(spec, 4, 9)) {
            assertTrue(e.passed(), loss + " " + e.where() + ": error " + e.maxRel());
        }
    }

    @Test
    void aWrongGradientIsFlagged() {
        NetworkSpec spec = NetworkSpec.mlp(2, new int[]{2}, Activation.TANH, 2, LossKind.MSE);
        double[] numeric = new double[Math.toIntExact(spec.parameterCount())];
        for (int i = 0; i < numeric.length; i++) {
            numeric[i] = 0.1 * (i + 1);
        }
        double[] analytic = numeric.clone();
        analytic[3] *= 1 + 1e-5; // one element of W1 off by ten times the threshold
        List<Comparison> errors = GradCheck.perTensor(spec, analytic, numeric);
        assertFalse(errors.get(0).passed());
        assertTrue(errors.get(1).passed() && errors.get(2).passed() && errors.get(3).passed());
    }

    @Test
    void theVerdictCoversTheCpuPathAndAFloatDevice() {
        NetworkSpec spec = NetworkSpec.mlp(7, new int[]{8, 6}, Activation.RELU, 5, LossKind.SOFTMAX_CE);
        GradCheck.Verdict cpuOnly = GradCheck.check(spec, 4, 1, null);
        assertFalse(cpuOnly.onDevice());
        assertTrue(cpuOnly.passed(), cpuOnly.toString());
        assertEquals(List.of(), cpuOnly.failures());
        assertEquals(List.of("W1", "b1", "W2", "b2", "W3", "b3"),
                cpuOnly.tensors().stream().map(GradCheck.TensorCheck::tensor).toList());
        assertEquals(List.of(56, 8, 48, 6, 30, 5), cpuOnly.tensors().stream().map(GradCheck.TensorCheck::size).toList());
        try (CpuBackend floatPath = new CpuBackend()) {
            GradCheck.Verdict v = GradCheck.check(spec, 4, 1, floatPath);
            assertTrue(v.onDevice());
            assertTrue(v.passed(), v.toString());
            assertEquals(StepReplay.tolerance(spec, 4), v.deviceTolerance());
        }
    }

    @Test
    void aFailedVerdictNamesEachTensorTheDeviceBeforeTheCpuPath() {
        Comparison ok = new Comparison(GradCheck.CPU, "W1", 0, 0, 0, GradCheck.THRESHOLD);
        Comparison cpuOff = new Comparison(GradCheck.CPU, "b1", 1, 0.5, 1, GradCheck.THRESHOLD);
        Comparison devOff = new Comparison(GradCheck.DEVICE, "b1", 1, 0.25, 1, 1e-3);
        GradCheck.Verdict v = new GradCheck.Verdict(List.of(new GradCheck.TensorCheck("W1", 4, ok, ok),
                new GradCheck.TensorCheck("b1", 2, cpuOff, devOff)));
        assertFalse(v.passed());
        assertEquals(List.of("b1 on the device: 2.500e-01", "b1 on the CPU path: 5.000e-01"), v.failures());
    }
}
