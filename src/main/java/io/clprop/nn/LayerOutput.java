package io.clprop.nn;

import io.clprop.backend.Activation;
import io.clprop.backend.Backend;
import io.clprop.backend.DropoutMask;
import io.clprop.backend.Tensor;

/**
 * A layer's output as the network keeps it between the two passes, whatever the layer computes: A = f(Z)
 * for up to the network's rows, dLoss/dZ of the same shape, and with dropout the dropped output Ã and the
 * mask of the last forward pass. The layer writes A; the next layer reads A (or Ã) and, going back, writes
 * dLoss/dZ through {@link #activation()}, so a layer's gradient buffer always holds dLoss/dZ, the gradient
 * with respect to its pre-activation.
 *
 * <p>Inverted dropout (hidden layers, training only) keeps A in its buffer and writes Ã = A ⊙ m·s (m the
 * step's 0/1 mask, s = 1/(1−P)) to a buffer of its own, which the next layer reads as its input. Backward,
 * by the chain rule element by element:
 * <pre>
 * dLoss/dÃ = what the next layer hands back for its input
 * dLoss/dA = dLoss/dÃ ⊙ m·s                      (Ã = A·m·s)
 * dLoss/dZ = dLoss/dA ⊙ f′(A) = (dLoss/dÃ ⊙ f′(A)) ⊙ m·s
 * </pre>
 * f′ is taken from the kept pre-dropout A (sigmoid′ = A(1−A) would be wrong on Ã), and the element-wise
 * products commute, so the next layer applies f′ in its fused backward operation as without dropout and
 * {@link #dropoutBackward} then multiplies the result by the same mask, recomputed from the hash.
 */
public final class LayerOutput {
    private final Backend backend;
    /** The layer's index in the network, one of the dropout hash's inputs. */
    private final int index;
    private final Activation activation;
    /** A for up to maxRows rows; kept for the backward pass (f′ is taken from A). */
    private final Tensor values;
    /** dLoss/dZ for up to maxRows rows: written by the next layer's backward pass, or by the loss. */
    private final Tensor gradient;
    /** Ã for up to the training batch's rows; null unless the network was built for dropout. */
    private final Tensor dropped;
    /** The mask of the last forward pass; null when it ran without dropout. */
    private DropoutMask mask;

    LayerOutput(Backend backend, int index, Activation activation, Tensor values, Tensor gradient, Tensor dropped) {
        this.backend = backend;
        this.index = index;
        this.activation = activation;
        this.values = values;
        this.gradient = gradient;
        this.dropped = dropped;
    }

    public Activation activation() {
        return activation;
    }

    /** A, the first n rows: where the layer's forward pass writes. */
    public Tensor values(int n) {
        return values.firstRows(n);
    }

    /** dLoss/dZ, the first n rows. */
    public Tensor gradient(int n) {
        return gradient.firstRows(n);
    }

    /**
     * What the next layer reads once the layer has written A for n rows: A itself when {@code m} is null,
     * else Ã = A ⊙ m·s, written to the dropped buffer. Remembers {@code m} for {@link #dropoutBackward}.
     */
    Tensor drop(int n, DropoutMask m) {
        mask = m;
        if (m == null) {
            return values(n);
        }
        if (dropped == null || n > dropped.rows()) {
            throw new IllegalStateException("layer " + (index + 1) + " has no dropout buffer for " + n
                    + " rows (build the network with dropout rows)");
        }
        Tensor d = dropped.firstRows(n);
        backend.dropout(values(n), d, m, index);
        return d;
    }

    /**
     * Once the next layer has written dLoss/dÃ (the gradient with respect to what it read) into
     * {@link #gradient} for n rows, without the fused activation derivative a dense layer's backward product
     * or a max-pool's scatter applies (a convolution's col2im): multiplies it by f′(A), then by the dropout
     * mask, giving dLoss/dZ.
     */
    void inputGradientBackward(int n) {
        if (activation != Activation.IDENTITY) {
            Tensor g = gradient(n);
            backend.activationBackward(activation, values(n), g, g);
        }
        dropoutBackward(n);
    }

    /**
     * Once the next layer has written dLoss/dÃ ⊙ f′(A) (its fused backward operation taking f′ from
     * {@link #values}) into {@link #gradient} for n rows: multiplies it by
     * the last forward pass's mask, giving dLoss/dZ; nothing to do after a forward pass without dropout.
     */
    void dropoutBackward(int n) {
        if (mask != null) {
            Tensor g = gradient(n);
            backend.dropoutBackward(g, mask, index, g);
        }
    }
}
