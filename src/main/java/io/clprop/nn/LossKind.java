package io.clprop.nn;

import io.clprop.backend.Activation;

import java.util.Locale;

/** The two losses of the textbook: ½‖y−ŷ‖² averaged over the batch, and softmax cross-entropy. */
public enum LossKind {
    /** Mean over the batch of ½Σ(ŷ−y)²; gradient (ŷ−y)/B. Targets are one-hot rows (or any real rows). */
    MSE("mse"),
    /** Mean over the batch of −log softmax(z)[label]; fused gradient (softmax(z) − onehot)/B. */
    SOFTMAX_CE("softmax-ce");

    public final String specName;

    LossKind(String specName) {
        this.specName = specName;
    }

    /** What the output layer applies before the loss: logits for softmax-CE, sigmoid for MSE as in the textbook. */
    public Activation defaultOutputActivation() {
        return this == SOFTMAX_CE ? Activation.IDENTITY : Activation.SIGMOID;
    }

    public static LossKind parse(String s) {
        for (LossKind k : values()) {
            if (k.specName.equals(s.toLowerCase(Locale.ROOT))) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown loss '" + s + "' (expected softmax-ce or mse)");
    }
}
