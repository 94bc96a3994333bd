package io.clprop.nn;

import io.clprop.backend.Activation;
import io.clprop.backend.WindowGeometry;
import io.clprop.util.ImageShape;

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
 * A convolutional network starts from the images' shape, and flattens them before its dense layers, as
 * PyTorch's {@code nn.Flatten} does (NCHW order):
 * <pre>{@code
 * NetworkSpec cnn = Network.builder().input(1, 28, 28)
 *         .conv(32, 3, 1, 1, Activation.RELU).maxPool(2)
 *         .conv(64, 3, 1, 1, Activation.RELU).maxPool(2)
 *         .flatten().dense(128, Activation.RELU).output(10, LossKind.SOFTMAX_CE)
 *         .build();
 * }</pre>
 * Mistakes are reported where they are made, as IllegalArgumentException naming the call.
 */
public final class NetworkBuilder {
    private int inputs;
    /** The shape of what the next layer reads while it is an image; null once flat (or given as a width). */
    private ImageShape image;
    /** The input's image shape, when it was given as one. */
    private ImageShape inputShape;
    private final List<LayerSpec> layers = new ArrayList<>();
    private LossKind loss;
    /** Set by output(…): nothing may follow the output layer. */
    private boolean outputAdded;

    NetworkBuilder() {
    }

    /** The width of the input rows (features per sample). */
    public NetworkBuilder input(int width) {
        checkNoInputYet("input(" + width + ")");
        if (width <= 0) {
            throw new IllegalArgumentException("input(" + width + "): the input width must be positive");
        }
        inputs = width;
        return this;
    }

    /** Images of {@code channels × height × width} as input, each sample a row of their values in NCHW order. */
    public NetworkBuilder input(int channels, int height, int width) {
        String call = "input(" + channels + ", " + height + ", " + width + ")";
        checkNoInputYet(call);
        try {
            return input(new ImageShape(channels, height, width));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(call + ": " + e.getMessage(), e);
        }
    }

    /** Images of {@code shape} as input. */
    public NetworkBuilder input(ImageShape shape) {
        checkNoInputYet("input(" + shape + ")");
        image = shape;
        inputShape = shape;
        inputs = shape.size();
        return this;
    }

    private void checkNoInputYet(String call) {
        if (inputs != 0) {
            throw new IllegalArgumentException(call + (inputShape != null ? ": the input is already " + inputShape
                    : ": the input width is already " + inputs) + "; call input once");
        }
    }

    /**
     * A 2-d convolution: {@code channels} filters of {@code kernel × kernel} over the current images, moving
     * by {@code stride}, over the images bordered by {@code padding} zeros, each with a bias, then
     * {@code activation}; its output is the next layer's image (channels × OH × OW).
     */
    public NetworkBuilder conv(int channels, int kernel, int stride, int padding, Activation activation) {
        String call = "conv(" + channels + ", " + kernel + ", " + stride + ", " + padding + ", " + activation + ")";
        if (activation == null) {
            throw new IllegalArgumentException(call + ": the activation must not be null");
        }
        ImageShape in = imageFor(call);
        Conv2dSpec c = build(call, () -> new Conv2dSpec(new WindowGeometry(in.channels(), in.height(), in.width(),
                kernel, stride, padding), channels, activation));
        image = build(call, c::output);
        layers.add(c);
        return this;
    }

    /** A max-pool of {@code kernel × kernel} windows moving by {@code kernel} (non-overlapping, as PyTorch's default). */
    public NetworkBuilder maxPool(int kernel) {
        return maxPool(kernel, kernel, 0);
    }

    /** A max-pool of {@code kernel × kernel} windows moving by {@code stride}, padding at most kernel/2. */
    public NetworkBuilder maxPool(int kernel, int stride, int padding) {
        String call = "maxPool(" + kernel + ", " + stride + ", " + padding + ")";
        ImageShape in = imageFor(call);
        MaxPoolSpec p = build(call, () -> new MaxPoolSpec(new WindowGeometry(in.channels(), in.height(), in.width(),
                kernel, stride, padding)));
        image = build(call, p::output);
        layers.add(p);
        return this;
    }

    /** The current images as flat rows (NCHW order, PyTorch's Flatten), for the dense layers that follow. */
    public NetworkBuilder flatten() {
        imageFor("flatten()");
        image = null;
        return this;
    }

    private ImageShape imageFor(String call) {
        checkNotAfterOutput(call);
        if (inputs == 0) {
            throw new IllegalArgumentException(call + ": no input yet; start with input(channels, height, width)");
        }
        if (image == null) {
            throw new IllegalArgumentException(call + ": needs images, but " + (inputShape == null && layers.isEmpty()
                    ? "the input is a width (" + inputs + "); give input(channels, height, width)"
                    : "the layers before it are already flat (after flatten() or a dense layer)"));
        }
        return image;
    }

    private static <T> T build(String call, java.util.function.Supplier<T> layer) {
        try {
            return layer.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(call + ": " + e.getMessage(), e);
        }
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

    private void checkNotAfterOutput(String call) {
        if (outputAdded) {
            throw new IllegalArgumentException(call + " after output(…): the output layer must be the last");
        }
    }

    /**
     * A dense layer reads flat rows: the input as it is (an image input's values, NCHW), or the output of a
     * flatten() or a dense layer; after a convolution or a max-pool, flatten() must come first, as in PyTorch.
     */
    private void addLayer(String call, int units, Activation activation) {
        checkNotAfterOutput(call);
        if (units <= 0) {
            throw new IllegalArgumentException(call + ": the layer width must be positive");
        }
        if (image != null && !layers.isEmpty()) {
            throw new IllegalArgumentException(call + ": after an image layer, call flatten() first");
        }
        image = null;
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
        if (!(layers.get(layers.size() - 1) instanceof DenseSpec)) {
            throw new IllegalArgumentException("build(): the last layer must be dense (the output layer), not "
                    + layers.get(layers.size() - 1).describe());
        }
        if (loss == null) {
            throw new IllegalArgumentException("build(): no loss; end with output(units, loss) or loss(kind)");
        }
        return new NetworkSpec(inputs, layers, loss);
    }
}
