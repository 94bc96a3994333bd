package io.clprop.nn;

import io.clprop.backend.Activation;
import io.clprop.backend.Backend;
import io.clprop.backend.Tensor;

import java.util.List;

/**
 * One layer of a {@link NetworkSpec}, free of any backend: what it outputs, how many parameters it takes,
 * the buffers it needs for a batch, and how to build it on a backend. A network is built from the same spec
 * as many times as wanted (on one backend or several), each time allocating what {@link #buffers} declares.
 *
 * <p>A layer reads rows of {@code inputs} values (the previous layer's {@link #units()}, or the network's
 * input width) and writes rows of {@link #units()} values; an image layer (convolution, max-pool) reads its
 * rows as images of the shape it was built for, NCHW. Its parameters are one contiguous slice of the
 * network's parameter buffer, in the order {@link NetworkSpec} lays the layers out: its weights (their
 * {@link #weightCount}), then its bias.
 */
public sealed interface LayerSpec permits DenseSpec, Conv2dSpec, MaxPoolSpec {

    /** The values per row this layer outputs: the next layer's input width. */
    int units();

    /** The activation applied to the layer's output, whose derivative the backward pass takes from it. */
    Activation activation();

    /** The parameters of a layer reading rows of {@code inputs} values; exact in a long. */
    long parameterCount(int inputs);

    /** How many of those are weights, which come first; the rest is the bias. */
    long weightCount(int inputs);

    /** The inputs each output sums over (the initialisation's fan-in); 0 for a layer without weights. */
    int fanIn(int inputs);

    /** The outputs each input reaches (the initialisation's fan-out; PyTorch's for a convolution). */
    int fanOut(int inputs);

    /**
     * Refuses a layer reading rows of {@code inputs} values it cannot read (an image layer: any width but its
     * image's); an {@link io.clprop.util.InvalidSetting}, the layers coming from a description.
     */
    default void checkInputs(int inputs) {
    }

    /**
     * The buffers a layer reading rows of {@code inputs} values holds for batches of up to {@code maxRows}
     * rows, and, when {@code dropoutRows > 0}, for dropout on its output in training batches of up to that
     * many rows. The network allocates them in this order and hands them to {@link #create}.
     */
    List<LayerBuffer> buffers(int inputs, int maxRows, int dropoutRows);

    /**
     * The floats of scratch space the layer needs during one pass of up to {@code maxRows} rows and not
     * between passes (a convolution's windows). The network holds one workspace, of the largest layer's
     * need, for every layer to use in turn.
     */
    default long workspace(int inputs, int maxRows) {
        return 0;
    }

    /**
     * The layer on {@code backend}: its parameters at {@code offset} of {@code params} and its gradients at
     * the same offset of {@code grads}; {@code buffers} allocated as {@link #buffers} declared them;
     * {@code workspace} at least {@link #workspace} floats (1 × size), shared with the other layers.
     *
     * @param index the layer's position in the network (the dropout hash's layer input)
     */
    Layer create(Backend backend, int index, int inputs, Tensor params, Tensor grads, int offset,
                 List<Tensor> buffers, Tensor workspace);

    /** The layer as a network description writes it, with its activation: "dense:128,relu", "maxpool:2". */
    String describe();
}
