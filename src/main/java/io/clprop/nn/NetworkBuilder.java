package io.clprop.nn;

import io.clprop.backend.Activation;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@link NetworkSpec} layer by layer, as {@link Network#builder()} hands it out:
 * <pre>{@code
 * NetworkSpec spec = Network.builder().input(784)
 *         .dense(256, Activation.RELU).dense(128, Activation.RELU)
 *         .output(10, LossKind.SOFTMAX_CE)      // activation from the loss, as NetworkSpec.mlp chooses it
 *         .build();
 * }</pre>
 * or with the output layer spelled out: {@code .dense(10, Activation.IDENTITY).loss(LossKind.SOFTMAX_CE)}.
 * Mistakes are reported where they are made, as IllegalArgumentException naming the call.
 */
public final class NetworkBuilder {
    private int inputs;
    private final List<LayerSpec> layers = new ArrayList<>();
    private LossKind loss;
    /** Set by output(…): nothing may follow the output layer. */
    private boolean outputAdded;

    NetworkBuilder() {
    }

    /** The width of the input rows (features per sample). */
    public NetworkBuilder input(int width) {
        if (inputs != 0) {
            throw new IllegalArgumentException("input(" + width + "): the input width is already " + inputs
                    + "; call input once");
        }
        if (width <= 0) {
            throw new IllegalArgumentException("input(" + width + "): the input width must be positive");
        }
        inputs = width;
        return this;
    }

    /** A dense layer of {@code units} outputs followed by {@code activation}. */
    public NetworkBuilder dense(int units, Activation activation) {
        String call = "dense(" + units + ", " + activation + ")";
        if (activation == null) {
            throw new IllegalArgumentException(call + ": the activation must not be null");
        }
        addLayer(call, units, activation);
        return this;
    }

    /**
     * The output layer and the loss: {@code units} outputs with the activation the loss expects before it
     * ({@link LossKind#defaultOutputActivation()}: identity logits for softmax-CE, sigmoid for MSE).
     */
    public NetworkBuilder output(int units, LossKind kind) {
        String call = "output(" + units + ", " + kind + ")";
        if (kind == null) {
            throw new IllegalArgumentException(call + ": the loss must not be null");
        }
        checkNoLossYet(call);
        addLayer(call, units, kind.defaultOutputActivation());
        loss = kind;
        outputAdded = true;
        return this;
    }

    /** The loss, applied to the last dense layer's output (for an output layer added with dense(…)). */
    public NetworkBuilder loss(LossKind kind) {
        String call = "loss(" + kind + ")";
        if (kind == null) {
            throw new IllegalArgumentException(call + ": the loss must not be null");
        }
        checkNoLossYet(call);
        loss = kind;
        return this;
    }

    private void addLayer(String call, int units, Activation activation) {
        if (outputAdded) {
            throw new IllegalArgumentException(call + " after output(…): the output layer must be the last");
        }
        if (units <= 0) {
            throw new IllegalArgumentException(call + ": the layer width must be positive");
        }
        layers.add(new DenseSpec(units, activation));
    }

    private void checkNoLossYet(String call) {
        if (loss != null) {
            throw new IllegalArgumentException(call + ": the loss is already " + loss
                    + (outputAdded ? " (set by output(…))" : "") + "; set it once, with output(…) or loss(…)");
        }
    }

    /** The spec; the builder can go on being used, and each build() gives an equal, independent spec. */
    public NetworkSpec build() {
        if (inputs == 0) {
            throw new IllegalArgumentException("build(): no input width; start with input(n)");
        }
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("build(): no layers; add dense(units, activation) or output(units, loss)");
        }
        if (loss == null) {
            throw new IllegalArgumentException("build(): no loss; end with output(units, loss) or loss(kind)");
        }
        return new NetworkSpec(inputs, layers, loss);
    }
}
