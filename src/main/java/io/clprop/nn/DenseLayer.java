package io.clprop.nn;

import io.clprop.backend.Activation;
import io.clprop.backend.DropoutMask;

import io.clprop.backend.Backend;
import io.clprop.backend.Tensor;

/**
 * A fully connected layer, forward and backward side by side. Weights W (out × in) and bias b are views
 * into the network's parameter buffer, dW and db the matching views into its gradient buffer.
 *
 * <pre>
 * forward:  A = f(X·Wᵀ + b)                                   one operation: denseForward
 * backward: dW = dZᵀ·X,  db = Σ_rows dZ                        one operation: denseBackwardWeights
 *           dZprev = (dZ·W) ⊙ f′prev(Aprev)                    one operation: denseBackwardInput
 * </pre>
 * The backward pass hands the previous layer its dZ directly (through that layer's activation), so each
 * layer's gradient buffer holds dLoss/dZ, the gradient with respect to its pre-activation.
 *
 * <p>With inverted dropout (hidden layers, training only) the layer's output A stays in its buffer and the
 * dropped output Ã = A ⊙ m·s (m the step's 0/1 mask, s = 1/(1−P)) goes to a buffer of its own, which the
 * next layer reads as its input X, so its dW = dZᵀ·Ã. Backward, by the chain rule element by element:
 * <pre>
 * dLoss/dÃ = dZnext·Wnext                        (what dense_backward_input's product computes)
 * dLoss/dA = dLoss/dÃ ⊙ m·s                      (Ã = A·m·s)
 * dLoss/dZ = dLoss/dA ⊙ f′(A) = ((dZnext·Wnext) ⊙ f′(A)) ⊙ m·s
 * </pre>
 * f′ is taken from the kept pre-dropout A (sigmoid′ = A(1−A) would be wrong on Ã), and the element-wise
 * products commute, so the fused denseBackwardInput runs unchanged and dropoutBackward then multiplies its
 * result by the same mask, recomputed from the hash.
 */
public final class DenseLayer {
    private final Backend backend;
    private final Activation activation;
    private final Tensor w;
    private final Tensor b;
    private final Tensor dw;
    private final Tensor db;
    /** This layer's output A for up to maxRows rows; kept for the backward pass (f′ is taken from A). */
    private final Tensor out;
    /** dLoss/dZ for up to maxRows rows: written by the next layer's backward pass, or by the loss. */
    private final Tensor dz;
    /** The input of the last forward pass, needed for dW. */
    private Tensor input;
    /** This layer's index in the network, one of the dropout hash's inputs. */
    private final int index;
    /** Ã = A ⊙ m·s for up to the batch's rows; null unless the network was built for dropout. */
    private final Tensor dropped;
    /** The mask of the last forward pass; null when it ran without dropout. */
    private DropoutMask mask;

    DenseLayer(Backend backend, int index, Activation activation, Tensor w, Tensor b, Tensor dw, Tensor db,
               Tensor out, Tensor dz, Tensor dropped) {
        this.backend = backend;
        this.index = index;
        this.dropped = dropped;
        this.activation = activation;
        this.w = w;
        this.b = b;
        this.dw = dw;
        this.db = db;
        this.out = out;
        this.dz = dz;
    }

    /** A = f(X·Wᵀ + b) for the rows of x, without dropout; returns a view of this layer's output. */
    public Tensor forward(Tensor x) {
        Tensor a = out.firstRows(x.rows());
        backend.denseForward(x, w, b, activation, a);
        input = x;
        mask = null;
        return a;
    }

    /**
     * The training forward pass with dropout {@code m} on this layer's output (null: none): A as
     * {@link #forward(Tensor)}, then Ã = A ⊙ m·s into the dropped buffer; returns Ã for the next layer.
     */
    public Tensor forward(Tensor x, DropoutMask m) {
        Tensor a = forward(x);
        if (m == null) {
            return a;
        }
        if (dropped == null || x.rows() > dropped.rows()) {
            throw new IllegalStateException("layer " + (index + 1) + " has no dropout buffer for " + x.rows()
                    + " rows (build the network with dropout rows)");
        }
        Tensor d = dropped.firstRows(x.rows());
        backend.dropout(a, d, m, index);
        mask = m;
        return d;
    }

    /**
     * From dZ of the last forward's rows ({@link #gradZ}): dW and db, and, unless this is the first layer,
     * the previous layer's dZ.
     */
    public void backward(DenseLayer previous) {
        int n = input.rows();
        Tensor dzn = dz.firstRows(n);
        backend.denseBackwardWeights(dzn, input, dw, db);
        if (previous != null) {
            Tensor dzPrev = previous.dz.firstRows(n);
            backend.denseBackwardInput(dzn, w, previous.activation, previous.out.firstRows(n), dzPrev);
            if (previous.mask != null) {
                backend.dropoutBackward(dzPrev, previous.mask, previous.index, dzPrev);
            }
        }
    }

    /** The buffer holding dLoss/dZ (first n rows used). */
    public Tensor gradZ(int n) {
        return dz.firstRows(n);
    }

    public Activation activation() {
        return activation;
    }

    public Tensor weights() {
        return w;
    }

    public Tensor bias() {
        return b;
    }

    public Tensor weightGrad() {
        return dw;
    }

    public Tensor biasGrad() {
        return db;
    }
}
