package io.clprop.backend;

import java.util.List;
import java.util.Locale;

/**
 * Element-wise activations. The derivative is written in terms of the activation's output a = f(z), so a
 * layer keeps only its output for the backward pass:
 * <ul>
 *   <li>sigmoid′ = a(1−a), tanh′ = 1−a², relu′ = [a > 0];</li>
 *   <li>leaky-relu (slope {@value #LEAKY_SLOPE} below 0, PyTorch's default): f′ = a > 0 ? 1 : 0.01, since a
 *       has the sign of z;</li>
 *   <li>elu (α = 1: z > 0 ? z : eᶻ − 1): f′ = a > 0 ? 1 : a + 1, since eᶻ = a + 1 below 0;</li>
 *   <li>softplus (log(1 + eᶻ)): f′ = σ(z) = 1 − e^(−a), since e^a = 1 + eᶻ.</li>
 * </ul>
 * Every derivative must be a function of the output, which is why GELU and SiLU (not monotonic, so z is not
 * determined by a) are not offered.
 * The codes are passed to the kernels and must match the ACT_* constants of kernels/activation_functions.clh.
 */
public enum Activation {
    IDENTITY(0), SIGMOID(1), TANH(2), RELU(3), LEAKY_RELU(4), ELU(5), SOFTPLUS(6);

    /** Leaky ReLU's slope for z ≤ 0 (PyTorch's negative_slope default; 0.01f in the kernels). */
    public static final double LEAKY_SLOPE = 0.01;

    /** The activations a hidden layer may take: all but the identity, in the order listed. */
    public static final List<Activation> HIDDEN = List.of(RELU, SIGMOID, TANH, LEAKY_RELU, ELU, SOFTPLUS);

    public final int code;

    Activation(int code) {
        this.code = code;
    }

    public double apply(double z) {
        switch (this) {
            case SIGMOID: return 1.0 / (1.0 + Math.exp(-z));
            case TANH: return Math.tanh(z);
            case RELU: return z > 0 ? z : 0.0;
            case LEAKY_RELU: return z > 0 ? z : LEAKY_SLOPE * z;
            // expm1, not exp(z) − 1, which cancels to a few correct bits near 0.
            case ELU: return z > 0 ? z : Math.expm1(z);
            // max(z, 0) + log(1 + e^−|z|): no overflow for large z (exp's argument is ≤ 0) and eᶻ's full
            // precision for very negative z (log1p of a tiny argument is that argument).
            case SOFTPLUS: return Math.max(z, 0.0) + Math.log1p(Math.exp(-Math.abs(z)));
            default: return z;
        }
    }

    /** f'(z) expressed through a = f(z). */
    public double derivativeFromOutput(double a) {
        switch (this) {
            case SIGMOID: return a * (1.0 - a);
            case TANH: return 1.0 - a * a;
            case RELU: return a > 0 ? 1.0 : 0.0;
            case LEAKY_RELU: return a > 0 ? 1.0 : LEAKY_SLOPE;
            case ELU: return a > 0 ? 1.0 : a + 1.0;
            // −expm1(−a): 1 − e^−a cancels when a is small (very negative z).
            case SOFTPLUS: return -Math.expm1(-a);
            default: return 1.0;
        }
    }

    /**
     * Whether the activation is of the rectifier family — unbounded above with slope 1 there and (nearly)
     * flat below, so about half the variance of its input passes: He initialisation suits it (see {@link Init}).
     */
    public boolean rectifierLike() {
        return this == RELU || this == LEAKY_RELU || this == ELU || this == SOFTPLUS;
    }

    /** The name activation specs and model files use: lower case, '-' for '_' ("leaky-relu"). */
    public String specName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The hidden activations' names for messages: "relu, sigmoid, tanh, leaky-relu, elu or softplus". */
    public static String hiddenNames() {
        List<String> n = HIDDEN.stream().map(Activation::specName).toList();
        return String.join(", ", n.subList(0, n.size() - 1)) + " or " + n.get(n.size() - 1);
    }

    public static Activation parse(String s) {
        for (Activation a : values()) {
            if (a.specName().equals(s.toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation '" + s + "' (expected " + hiddenNames() + " or identity)");
    }
}
