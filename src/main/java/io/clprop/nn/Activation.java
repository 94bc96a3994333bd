package io.clprop.nn;

import java.util.Locale;

/**
 * Element-wise activations. The derivative is written in terms of the activation's output a = f(z), so a
 * layer keeps only its output for the backward pass: sigmoid' = a(1−a), tanh' = 1−a², relu' = [a > 0].
 * The codes are passed to kernels/activation.cl and must match its ACT_* constants.
 */
public enum Activation {
    IDENTITY(0), SIGMOID(1), TANH(2), RELU(3);

    public final int code;

    Activation(int code) {
        this.code = code;
    }

    public double apply(double z) {
        switch (this) {
            case SIGMOID: return 1.0 / (1.0 + Math.exp(-z));
            case TANH: return Math.tanh(z);
            case RELU: return z > 0 ? z : 0.0;
            default: return z;
        }
    }

    /** f'(z) expressed through a = f(z). */
    public double derivativeFromOutput(double a) {
        switch (this) {
            case SIGMOID: return a * (1.0 - a);
            case TANH: return 1.0 - a * a;
            case RELU: return a > 0 ? 1.0 : 0.0;
            default: return 1.0;
        }
    }

    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Activation parse(String s) {
        for (Activation a : values()) {
            if (a.cliName().equals(s.toLowerCase(Locale.ROOT))) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown activation '" + s + "' (expected relu, sigmoid, tanh or identity)");
    }
}
