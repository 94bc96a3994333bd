package io.clprop.nn;

import io.clprop.util.InvalidSetting;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.UniformRealDistribution;
import org.apache.commons.math3.random.RandomGenerator;

import java.util.Locale;

import static io.clprop.util.Wording.setting;

/**
 * Initial weights from a seeded generator; biases start at zero.
 * <ul>
 *   <li>HE: normal with variance 2/in, which keeps activation variance steady through rectifiers.</li>
 *   <li>XAVIER: Glorot uniform ±√(6/(in+out)), variance 2/(in+out), balanced for forward and backward.</li>
 *   <li>AUTO: He before the rectifier-like activations (relu, leaky-relu, elu, softplus), Xavier before
 *       sigmoid, tanh and the linear output. He's argument (half the input variance is lost where the unit
 *       is flat) holds for leaky-relu up to its 0.01 slope (the exact gain, 2/(1 + 0.01²), differs by
 *       1e-4); elu and softplus have slope 1 for large z and slope → 0 for very negative z, so they are
 *       rectifiers with a rounded corner, and Xavier's variance, about 2/(in+out), would shrink the signal
 *       layer by layer through them as it does through ReLU.</li>
 * </ul>
 * in and out are a layer's fan-in and fan-out: a dense layer's inputs and units, a convolution's C_in·k² and
 * C_out·k² (as PyTorch counts them); a max-pool has no weights.
 */
public enum Init {
    AUTO, HE, XAVIER;

    public static Init parse(String s) {
        for (Init i : values()) {
            if (i.name().equalsIgnoreCase(s)) {
                return i;
            }
        }
        throw new InvalidSetting(setting("init") + " " + s + ": unknown initialisation (expected auto, he or xavier)");
    }

    public String specName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public float[] parameters(NetworkSpec spec, RandomGenerator rng) {
        // An array: ArithmeticException past 2^31 - 1 (a spec no Network can hold, which Network refuses first).
        float[] p = new float[Math.toIntExact(spec.parameterCount())];
        for (int l = 0; l < spec.layers().size(); l++) {
            LayerSpec layer = spec.layers().get(l);
            int weights = Math.toIntExact(layer.weightCount(spec.inputsOf(l)));
            if (weights == 0) {
                continue; // a max-pool: nothing to draw
            }
            int in = layer.fanIn(spec.inputsOf(l));
            int out = layer.fanOut(spec.inputsOf(l));
            int off = spec.weightOffset(l);
            boolean he = this == HE || (this == AUTO && layer.activation().rectifierLike());
            if (he) {
                NormalDistribution d = new NormalDistribution(rng, 0.0, Math.sqrt(2.0 / in));
                for (int i = 0; i < weights; i++) {
                    p[off + i] = (float) d.sample();
                }
            } else {
                double limit = Math.sqrt(6.0 / ((double) in + out));
                UniformRealDistribution d = new UniformRealDistribution(rng, -limit, limit);
                for (int i = 0; i < weights; i++) {
                    p[off + i] = (float) d.sample();
                }
            }
        }
        return p;
    }
}
