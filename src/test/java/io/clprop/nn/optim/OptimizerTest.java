package io.clprop.nn.optim;

import io.clprop.backend.Tensor;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.backend.Activation;
import io.clprop.nn.DenseSpec;
import io.clprop.nn.LossKind;
import io.clprop.nn.Network;
import io.clprop.nn.NetworkSpec;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The update rules against the formulas written out by hand, on the CPU path in double (so the only error
 * is the order of double operations: tolerance 1e-12), over three steps with weight decay so the state
 * carried between steps matters.
 */
class OptimizerTest {
    static final double TOL = 1e-12;
    // A 1-input, 1-output network: parameters [w, b].
    static final NetworkSpec SPEC = new NetworkSpec(1, java.util.List.of(
            new DenseSpec(1, Activation.IDENTITY)), LossKind.MSE);
    static final float[][] GRADS = {{0.5f, -1.0f}, {0.25f, 2.0f}, {-0.75f, 0.125f}};
    static final float[] START = {1.0f, -0.5f};
    static final float LR = 0.1f, WD = 0.01f;

    private static double[] run(OptimizerConfig config) {
        try (CpuBackend cpu = new CpuBackend(CpuBackend.Precision.DOUBLE); Network net = new Network(cpu, SPEC, 1);
             Optimizer opt = config.create(cpu, Math.toIntExact(SPEC.parameterCount()))) {
            net.setParameters(START);
            for (float[] g : GRADS) {
                net.setGradients(g);
                opt.step(net, LR);
            }
            assertEquals(GRADS.length, opt.steps());
            double[] out = new double[2];
            for (int i = 0; i < 2; i++) {
                out[i] = cpu.readDouble(net.parameterBuffer())[i];
            }
            return out;
        }
    }

    @Test
    void sgdWithWeightDecay() {
        double[] p = {START[0], START[1]};
        for (float[] g : GRADS) {
            for (int i = 0; i < 2; i++) {
                p[i] -= LR * (g[i] + WD * p[i]);
            }
        }
        assertClose(p, run(OptimizerConfig.sgd().withWeightDecay(WD)));
    }

    @Test
    void momentumAndNesterov() {
        for (boolean nesterov : new boolean[]{false, true}) {
            double mu = 0.9f; // the float the kernel gets
            double[] p = {START[0], START[1]}, v = new double[2];
            for (float[] g : GRADS) {
                for (int i = 0; i < 2; i++) {
                    double gi = g[i] + WD * p[i];
                    v[i] = mu * v[i] + gi;
                    p[i] -= LR * (nesterov ? gi + mu * v[i] : v[i]);
                }
            }
            OptimizerConfig c = OptimizerConfig.of(nesterov ? OptimizerConfig.Kind.NESTEROV : OptimizerConfig.Kind.MOMENTUM)
                    .withMomentum(0.9f).withWeightDecay(WD);
            assertClose(p, run(c));
        }
    }

    @Test
    void adamWithBiasCorrection() {
        double b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
        double[] p = {START[0], START[1]}, m = new double[2], s = new double[2];
        int t = 0;
        for (float[] g : GRADS) {
            t++;
            double c1 = (float) (1 - Math.pow(0.9f, t)), c2 = (float) (1 - Math.pow(0.999f, t));
            for (int i = 0; i < 2; i++) {
                double gi = g[i] + WD * p[i];
                m[i] = b1 * m[i] + (1 - b1) * gi;
                s[i] = b2 * s[i] + (1 - b2) * gi * gi;
                p[i] -= LR * (m[i] / c1) / (Math.sqrt(s[i] / c2) + eps);
            }
        }
        assertClose(p, run(OptimizerConfig.adam().withWeightDecay(WD)));
    }

    @Test
    void adamsFirstStepMovesEachParameterByAboutTheLearningRate() {
        // With bias correction the first step is η·g/(|g|+ε): the textbook property that makes Adam's step
        // size independent of the gradient's scale.
        double[] p = run(OptimizerConfig.adam()); // three steps; check the first alone below
        try (CpuBackend cpu = new CpuBackend(CpuBackend.Precision.DOUBLE); Network net = new Network(cpu, SPEC, 1);
             Optimizer opt = OptimizerConfig.adam().create(cpu, 2)) {
            net.setParameters(START);
            net.setGradients(new float[]{1e-3f, -50f});
            opt.step(net, LR);
            double[] q = cpu.readDouble(net.parameterBuffer());
            assertEquals(START[0] - LR, q[0], 1e-5);
            assertEquals(START[1] + LR, q[1], 1e-5);
        }
        assertEquals(2, p.length);
    }

    @Test
    void stateBuffersAreNamedAndFreed() {
        try (CpuBackend cpu = new CpuBackend()) {
            int before = cpu.liveBuffers();
            Optimizer adam = OptimizerConfig.adam().create(cpu, 5);
            assertEquals(java.util.List.of("adam_m", "adam_s"), adam.stateNames());
            assertEquals(2, adam.state().size());
            Tensor m = adam.state().get(0);
            assertEquals(5, m.size());
            adam.close();
            assertEquals(before, cpu.liveBuffers());
        }
    }

    @Test
    void invalidConstantsAreRejectedWithTheSettingName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OptimizerConfig.adam().withBetas(1.0f, 0.999f));
        assertEquals("beta1 must be in [0.0, 1.0), got 1.0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.sgd().withWeightDecay(-1));
        assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.sgd().withWeightDecay(Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.adam().withEpsilon(0));
        assertThrows(IllegalArgumentException.class, () -> OptimizerConfig.Kind.parse("rmsprop"));
    }

    private static void assertClose(double[] expected, double[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], TOL * Math.max(1, Math.abs(expected[i])), "parameter " + i);
        }
    }
}
