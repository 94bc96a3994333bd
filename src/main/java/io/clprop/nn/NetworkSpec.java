package io.clprop.nn;

import io.clprop.backend.Activation;

import java.util.ArrayList;
import java.util.List;

/**
 * The architecture: input width, dense layers (width and activation each) and the loss. Parameters are laid
 * out in one buffer as [W1, b1, W2, b2, …], each W (out × in) row-major like PyTorch's Linear.
 */
public record NetworkSpec(int inputs, List<LayerSpec> layers, LossKind loss) {

    public record LayerSpec(int units, Activation activation) {
    }

    public NetworkSpec {
        if (inputs <= 0) {
            throw new IllegalArgumentException("input width must be positive, got " + inputs);
        }
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("a network needs at least one layer");
        }
        for (LayerSpec l : layers) {
            if (l.units() <= 0) {
                throw new IllegalArgumentException("layer width must be positive, got " + l.units());
            }
        }
        layers = List.copyOf(layers);
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
            throw new IllegalArgumentException("--activation: give one activation, or one per hidden layer ("
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
            ls.add(new LayerSpec(hidden[l], activations[l]));
        }
        ls.add(new LayerSpec(outputs, loss.defaultOutputActivation()));
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
     * Offset of layer l's weights in the parameter buffer; its bias follows at + in·out. An int, as tensor
     * offsets are: throws {@link ArithmeticException} past {@link Integer#MAX_VALUE}, which only a network
     * too large to allocate reaches ({@code MemoryPlan} and {@link Network} refuse those first, with
     * {@link #parameterCount()}).
     */
    public int weightOffset(int layer) {
        return Math.toIntExact(offset(inputs, layers, layer));
    }

    public int biasOffset(int layer) {
        return Math.toIntExact(offset(inputs, layers, layer) + (long) inputsOf(layer) * layers.get(layer).units());
    }

    /** Σ (in + 1)·out over the layers, in long: widths near 2^16 already pass 2^31 (e.g. 784-65536-65536-10). */
    public long parameterCount() {
        return offset(inputs, layers, layers.size());
    }

    /** Σ (in + 1)·out over the first {@code upTo} layers; ArithmeticException past a long. */
    private static long offset(int inputs, List<LayerSpec> layers, int upTo) {
        long off = 0;
        int in = inputs;
        for (int l = 0; l < upTo; l++) {
            int out = layers.get(l).units();
            off = Math.addExact(off, (in + 1L) * out); // (in + 1)·out < 2^31 · 2^31: exact in a long
            in = out;
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

    /** "784-256-128-10 relu/relu/identity softmax-ce". */
    public String describe() {
        StringBuilder acts = new StringBuilder();
        for (LayerSpec l : layers) {
            acts.append(acts.length() == 0 ? "" : "/").append(l.activation().cliName());
        }
        return widths(inputs, layers) + " " + acts + " " + loss.cliName;
    }
}
