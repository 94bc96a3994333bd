package io.clprop.nn;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.UniformRealDistribution;
import org.apache.commons.math3.random.RandomGenerator;

/**
 * Initial weights from a seeded generator: He (normal, variance 2/in) before ReLU, which keeps the
 * variance of activations steady through rectifiers; Xavier/Glorot (uniform, ±√(6/(in+out))) before
 * sigmoid, tanh and the linear output. Biases start at zero.
 */
public final class Init {
    private Init() {
    }

    public static float[] parameters(NetworkSpec spec, RandomGenerator rng) {
        float[] p = new float[spec.parameterCount()];
        for (int l = 0; l < spec.layers().size(); l++) {
            int in = spec.inputsOf(l);
            int out = spec.layers().get(l).units();
            int off = spec.weightOffset(l);
            if (spec.layers().get(l).activation() == Activation.RELU) {
                NormalDistribution d = new NormalDistribution(rng, 0.0, Math.sqrt(2.0 / in));
                for (int i = 0; i < in * out; i++) {
                    p[off + i] = (float) d.sample();
                }
            } else {
                double limit = Math.sqrt(6.0 / (in + out));
                UniformRealDistribution d = new UniformRealDistribution(rng, -limit, limit);
                for (int i = 0; i < in * out; i++) {
                    p[off + i] = (float) d.sample();
                }
            }
        }
        return p;
    }
}
