package io.clprop.nn;

import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.UniformRealDistribution;
import org.apache.commons.math3.random.RandomGenerator;

import java.util.Locale;

/**
 * Initial weights from a seeded generator; biases start at zero.
 * <ul>
 *   <li>HE: normal with variance 2/in, which keeps activation variance steady through rectifiers.</li>
 *   <li>XAVIER: Glorot uniform ±√(6/(in+out)), variance 2/(in+out), balanced for forward and backward.</li>
 *   <li>AUTO: He before ReLU, Xavier before sigmoid, tanh and the linear output.</li>
 * </ul>
 */
public enum Init {
    AUTO, HE, XAVIER;

    public static Init parse(String s) {
        for (Init i : values()) {
            if (i.name().equalsIgnoreCase(s)) {
                return i;
            }
        }
        throw new IllegalArgumentException("--init " + s + ": unknown initialisation (expected auto, he or xavier)");
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public float[] parameters(NetworkSpec spec, RandomGenerator rng) {
        float[] p = new float[spec.parameterCount()];
        for (int l = 0; l < spec.layers().size(); l++) {
            int in = spec.inputsOf(l);
            int out = spec.layers().get(l).units();
            int off = spec.weightOffset(l);
            boolean he = this == HE || (this == AUTO && spec.layers().get(l).activation() == Activation.RELU);
            if (he) {
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
