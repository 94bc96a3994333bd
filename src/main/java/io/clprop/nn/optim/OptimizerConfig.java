package io.clprop.nn.optim;

import io.clprop.backend.Backend;

import java.util.Locale;

import io.clprop.util.InvalidSetting;

import static io.clprop.util.Wording.setting;

/**
 * Which update rule and its constants (the learning rate comes per step from the schedule). Defaults are
 * PyTorch's: momentum 0.9, Adam β1 0.9, β2 0.999, ε 1e-8; weight decay 0.
 */
public record OptimizerConfig(Kind kind, float momentum, float beta1, float beta2, float epsilon, float weightDecay)
        implements java.io.Serializable {

    public enum Kind {
        SGD("sgd"), MOMENTUM("momentum"), NESTEROV("nesterov"), ADAM("adam");

        public final String specName;

        Kind(String specName) {
            this.specName = specName;
        }

        /**
         * The learning rate a run of this kind takes unless it is given one: 0.1 for the SGD family (the
         * reference run's), 0.001 for Adam (PyTorch's default, and the one its paper recommends).
         */
        public float defaultLearningRate() {
            return this == ADAM ? 0.001f : 0.1f;
        }

        public static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.specName.equals(s.toLowerCase(Locale.ROOT))) {
                    return k;
                }
            }
            throw new InvalidSetting("unknown optimizer '" + s + "' (expected sgd, momentum, nesterov or adam)");
        }
    }

    public OptimizerConfig {
        check("momentum", momentum, 0, 1, true);
        check("beta1", beta1, 0, 1, true);
        check("beta2", beta2, 0, 1, true);
        if (!(epsilon > 0) || Float.isInfinite(epsilon)) {
            throw new InvalidSetting(setting("epsilon") + " must be a positive number, got " + epsilon);
        }
        if (!(weightDecay >= 0) || Float.isInfinite(weightDecay)) {
            throw new InvalidSetting(setting("weightDecay") + " must be ≥ 0, got " + weightDecay);
        }
    }

    private static void check(String name, float v, float lo, float hi, boolean hiOpen) {
        if (!(v >= lo) || (hiOpen ? v >= hi : v > hi)) {
            throw new InvalidSetting(setting(name) + " must be in [" + lo + ", " + hi + (hiOpen ? ")" : "]")
                    + ", got " + v);
        }
    }

    public static OptimizerConfig of(Kind kind) {
        return new OptimizerConfig(kind, 0.9f, 0.9f, 0.999f, 1e-8f, 0f);
    }

    public static OptimizerConfig sgd() {
        return of(Kind.SGD);
    }

    public static OptimizerConfig adam() {
        return of(Kind.ADAM);
    }

    public OptimizerConfig withWeightDecay(float wd) {
        return new OptimizerConfig(kind, momentum, beta1, beta2, epsilon, wd);
    }

    public OptimizerConfig withMomentum(float mu) {
        return new OptimizerConfig(kind, mu, beta1, beta2, epsilon, weightDecay);
    }

    public OptimizerConfig withBetas(float b1, float b2) {
        return new OptimizerConfig(kind, momentum, b1, b2, epsilon, weightDecay);
    }

    public OptimizerConfig withEpsilon(float eps) {
        return new OptimizerConfig(kind, momentum, beta1, beta2, eps, weightDecay);
    }

    /** A new optimizer for {@code parameterCount} parameters, its state allocated (zero) on the backend. */
    public Optimizer create(Backend backend, int parameterCount) {
        return switch (kind) {
            case SGD -> new Sgd(backend, weightDecay);
            case MOMENTUM, NESTEROV -> new Momentum(backend, parameterCount, momentum, weightDecay, kind == Kind.NESTEROV);
            case ADAM -> new Adam(backend, parameterCount, beta1, beta2, epsilon, weightDecay);
        };
    }

    /** "adam β1=0.9 β2=0.999 ε=1e-08 wd=0". */
    @Override
    public String toString() {
        String s = switch (kind) {
            case SGD -> "sgd";
            case MOMENTUM, NESTEROV -> kind.specName + " μ=" + momentum;
            case ADAM -> "adam β1=" + beta1 + " β2=" + beta2 + " ε=" + epsilon;
        };
        return s + (weightDecay > 0 ? " wd=" + weightDecay : "");
    }
}
