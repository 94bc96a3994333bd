package io.clprop.nn;

import io.clprop.backend.Tensor;

/**
 * One buffer a layer holds besides its views of the network's parameters and gradients: what it holds
 * ("outputs", "gradients", a max-pool's "indices"), its shape and its element type. The layer's spec
 * declares these ({@link LayerSpec#buffers}), the network allocates exactly them, and the trainer's memory
 * plan sums them, so the three cannot disagree.
 *
 * @param rows the batch rows it is sized for (named in the message when it is too large)
 * @param type float values, or int indices (4 bytes either way)
 */
public record LayerBuffer(String name, int rows, int cols, Tensor.DType type) {
    /** A buffer of float values. */
    public LayerBuffer(String name, int rows, int cols) {
        this(name, rows, cols, Tensor.DType.FLOAT32);
    }

    /** rows × cols, exact: two int sizes pass 2^31 long before a device runs out. */
    public long elements() {
        return (long) rows * cols;
    }
}
