package io.clprop.nn;

/**
 * One buffer a layer holds besides its views of the network's parameters and gradients: what it holds
 * ("outputs", "gradients"), and its shape. The layer's spec declares these ({@link LayerSpec#buffers}), the
 * network allocates exactly them, and the trainer's memory plan sums them, so the three cannot disagree.
 *
 * @param rows the batch rows it is sized for (named in the message when it is too large)
 */
public record LayerBuffer(String name, int rows, int cols) {
    /** rows × cols, exact: two int sizes pass 2^31 long before a device runs out. */
    public long elements() {
        return (long) rows * cols;
    }
}
