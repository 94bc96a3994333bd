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
 * input width) and writes rows of {@link #units()} values; its parameters are one contiguous slice of the
 * network's parameter buffer, in the order {@link NetworkSpec} lays the layers out.
 */
public sealed interface LayerSpec permits DenseSpec {

    /** The values per row this layer outputs: the next layer's input width. */
    int units();

    /** The activation applied to the layer's output, whose derivative the backward pass takes from it. */
    Activation activation();

    /** The parameters of a layer reading rows of {@code inputs} values; exact in a long. */
    long parameterCount(int inputs);

    /**
     * The buffers a layer reading rows of {@code inputs} values holds for batches of up to {@code maxRows}
     * rows, and, when {@code dropoutRows > 0}, for dropout on its output in training batches of up to that
     * many rows. The network allocates them in this order and hands them to {@link #create}.
     */
    List<LayerBuffer> buffers(int inputs, int maxRows, int dropoutRows);

    /**
     * The layer on {@code backend}: its parameters at {@code offset} of {@code params} and its gradients at
     * the same offset of {@code grads}; {@code buffers} allocated as {@link #buffers} declared them.
     *
     * @param index the layer's position in the network (the dropout hash's layer input)
     */
    Layer create(Backend backend, int index, int inputs, Tensor params, Tensor grads, int offset,
                 List<Tensor> buffers);
}
