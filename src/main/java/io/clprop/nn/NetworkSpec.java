package io.clprop.nn;

import io.clprop.backend.Activation;

import io.clprop.util.InvalidSetting;

import java.util.ArrayList;
import java.util.List;

import static io.clprop.util.Wording.setting;

/**
 * The architecture, free of any backend: input width, the layers in order, and the loss; a {@link Network}
 * is built from it on a backend, as many times as wanted. Parameters are laid out in one buffer, layer
 * after layer, each layer's slice as its spec orders it: [W1, b1, W2, b2, …] for dense layers, each W
 * (out × in) row-major like PyTorch's Linear. Model files and checkpoints store that buffer as it is.
 */
public record NetworkSpec(int inputs, List<LayerSpec> layers, LossKind loss) {

    public NetworkSpec {
        if (inputs <= 0) {
            throw new IllegalArgumentException("input width must be positive, got " + inputs);
        }
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a network needs at least one layer");
        }
        layers = List.copyOf(layers);
        int in = inputs;
        for (LayerSpec l : layers) {
            l.checkInputs(in);
            in = l.units();
        }
        try {
            offset(inputs, layers, layers.size());
        } catch (ArithmeticException e) {
            // Each layer's (in + 1)·out is below 2^62, but a few such layers pass 2^63 − 1.
            throw new IllegalArgumentException("the network " + widths(inputs, layers)
                    + " has more than 2^63 − 1 parameters");
        }
    }

    /** An MLP: hidden layers with one activation, then an output layer suited to the loss. */
    public static NetworkSpec mlp(int inputs, int[] hidden, Activation hiddenActivation, int outputs, LossKind loss) {
        Activation[] each = new Activation[hidden.length];
        java.util.Arrays.fill(each, hiddenActivation);
        return mlp(inputs, hidden, each, outputs, loss);
    }

    /** An MLP whose hidden layers take one activation each, or all the same one when a single one is given. */
    public static NetworkSpec mlp(int inputs, int[] hidden, List<Activation> oneOrPerLayer, int outputs, LossKind loss) {
        if (oneOrPerLayer.size() != 1 && oneOrPerLayer.size() != hidden.length) {
            throw new InvalidSetting(setting("activations") + ": give one activation, or one per hidden layer ("
                    + hidden.length + "), got " + oneOrPerLayer.size());
        }
        Activation[] each = new Activation[hidden.length];
        for (int l = 0; l < each.length; l++) {
            each[l] = oneOrPerLayer.get(oneOrPerLayer.size() == 1 ? 0 : l);
        }
        return mlp(inputs, hidden, each, outputs, loss);
    }

    /** An MLP with its own activation per hidden layer. */
    public static NetworkSpec mlp(int inputs, int[] hidden, Activation[] activations, int outputs, LossKind loss) {
        if (activations.length != hidden.length) {
            throw new IllegalArgumentException(activations.length + " activations for " + hidden.length + " hidden layers");
        }
        List<LayerSpec> ls = new ArrayList<>();
        for (int l = 0; l < hidden.length; l++) {
            ls.add(new DenseSpec(hidden[l], activations[l]));
        }
        ls.add(new DenseSpec(outputs, loss.defaultOutputActivation()));
        return new NetworkSpec(inputs, ls, loss);
    }

    /** The widths of the layers before the output layer (what TrainConfig calls hidden). */
    public int[] hiddenWidths() {
        return layers.subList(0, layers.size() - 1).stream().mapToInt(LayerSpec::units).toArray();
    }

    /** The activations of the layers before the output layer, one per layer. */
    public List<Activation> hiddenActivations() {
        return layers.subList(0, layers.size() - 1).stream().map(LayerSpec::activation).toList();
    }

    public int outputs() {
        return layers.get(layers.size() - 1).units();
    }

    public int inputsOf(int layer) {
        return layer == 0 ? inputs : layers.get(layer - 1).units();
    }

    /**
     * Offset of layer l's parameters in the parameter buffer, its weights first (l = the layer count: the
     * end of the buffer); a dense layer's bias follows at + in·out. An int, as tensor offsets are: throws
     * {@link ArithmeticException} past {@link Integer#MAX_VALUE}, which only a network too large to allocate
     * reaches ({@code MemoryPlan} and {@link Network} refuse those first, with {@link #parameterCount()}).
     */
    public int weightOffset(int layer) {
        return Math.toIntExact(offset(inputs, layers, layer));
    }

    /** Offset of layer l's bias, after its weights (for a dense layer, in·out of them). */
    public int biasOffset(int layer) {
        return Math.toIntExact(offset(inputs, layers, layer) + layers.get(layer).weightCount(inputsOf(layer)));
    }

    /** The floats of the workspace the layers share for batches of up to {@code maxRows} rows: the largest need. */
    public long workspace(int maxRows) {
        long most = 0;
        for (int l = 0; l < layers.size(); l++) {
            most = Math.max(most, layers.get(l).workspace(inputsOf(l), maxRows));
        }
        return most;
    }

    /** The images the first layer reads (a convolution's or max-pool's input), or empty when it reads flat rows. */
    public java.util.Optional<io.clprop.util.ImageShape> inputShape() {
        LayerSpec first = layers.get(0);
        return first instanceof Conv2dSpec c ? java.util.Optional.of(c.input())
                : first instanceof MaxPoolSpec p ? java.util.Optional.of(p.input()) : java.util.Optional.empty();
    }

    /** Whether every layer is dense: a multilayer perceptron, which a list of hidden widths describes. */
    public boolean isMlp() {
        return layers.stream().allMatch(l -> l instanceof DenseSpec);
    }

    /** The layers' parameters together (dense: Σ (in + 1)·out), in long: widths near 2^16 already pass 2^31 (e.g. 784-65536-65536-10). */
    public long parameterCount() {
        return offset(inputs, layers, layers.size());
    }

    /**
     * The buffers layer {@code l} holds for batches of up to {@code maxRows} rows, and for dropout in
     * training batches of up to {@code dropoutRows} (0: none) on a hidden layer's output (never the output
     * layer's): what {@link Network} allocates for it, and the trainer's memory plan counts.
     */
    public List<LayerBuffer> buffers(int l, int maxRows, int dropoutRows) {
        return layers.get(l).buffers(inputsOf(l), maxRows, l < layers.size() - 1 ? dropoutRows : 0);
    }

    /** The parameters of the first {@code upTo} layers; ArithmeticException past a long. */
    private static long offset(int inputs, List<LayerSpec> layers, int upTo) {
        long off = 0;
        int in = inputs;
        for (int l = 0; l < upTo; l++) {
            off = Math.addExact(off, layers.get(l).parameterCount(in));
            in = layers.get(l).units();
        }
        return off;
    }

    private static String widths(int inputs, List<LayerSpec> layers) {
        StringBuilder sizes = new StringBuilder().append(inputs);
        for (LayerSpec l : layers) {
            sizes.append('-').append(l.units());
        }
        return sizes.toString();
    }

    /**
     * An MLP as "784-256-128-10 relu/relu/identity softmax-ce"; any other network as its input shape, its
     * layers in the layer-list notation and the loss: "1×28×28 conv:32:3:pad1,relu,maxpool:2,flatten,dense:10
     * softmax-ce".
     */
    public String describe() {
        if (!isMlp()) {
            StringBuilder s = new StringBuilder();
            LayerSpec first = layers.get(0);
            s.append(first instanceof Conv2dSpec c ? c.input().toString()
                    : first instanceof MaxPoolSpec p ? p.input().toString() : String.valueOf(inputs)).append(' ');
            boolean image = first instanceof Conv2dSpec || first instanceof MaxPoolSpec;
            for (int l = 0; l < layers.size(); l++) {
                LayerSpec layer = layers.get(l);
                boolean dense = layer instanceof DenseSpec;
                s.append(l == 0 ? "" : ",").append(image && dense ? "flatten," : "").append(layer.describe());
                image = !dense;
            }
            return s.append(' ').append(loss.specName).toString();
        }
        StringBuilder acts = new StringBuilder();
        for (LayerSpec l : layers) {
            acts.append(acts.length() == 0 ? "" : "/").append(l.activation().specName());
        }
        return widths(inputs, layers) + " " + acts + " " + loss.specName;
    }
}
