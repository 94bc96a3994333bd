package io.clprop.nn;

import io.clprop.backend.DropoutMask;
import io.clprop.backend.Tensor;

import java.util.List;

/**
 * One layer of a {@link Network} on its backend, as a {@link LayerSpec} builds it. Its parameters and their
 * gradients are views into the network's two contiguous buffers (so one optimizer operation updates every
 * layer, and the parameters travel between backends and files as one array); its output and the gradient
 * with respect to it are a {@link LayerOutput}, which the next layer reads forward and writes back into.
 */
public interface Layer {

    /**
     * The forward pass over the rows of {@code x}: writes this layer's output A for those rows and returns
     * what the next layer reads, A or, with dropout {@code m} (null: none), the dropped output Ã.
     */
    Tensor forward(Tensor x, DropoutMask m);

    /**
     * The backward pass for the rows of the last forward pass, from dLoss/dZ in this layer's
     * {@link LayerOutput#gradient}: this layer's parameter gradients, and, unless {@code previous} is null
     * (the first layer), the previous layer's dLoss/dZ, through its activation and its dropout.
     */
    void backward(LayerOutput previous);

    /** This layer's output and the gradient with respect to it. */
    LayerOutput output();

    /** This layer's parameter tensors, views into the network's parameter buffer (a dense layer: W, b). */
    List<Tensor> parameters();

    /** The gradients of {@link #parameters()}, in the same order and shapes, views into the gradient buffer. */
    List<Tensor> gradients();
}
