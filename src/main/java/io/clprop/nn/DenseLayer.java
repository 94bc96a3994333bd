package io.clprop.nn;

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

    DenseLayer(Backend backend, Activation activation, Tensor w, Tensor b, Tensor dw, Tensor db,
               Tensor out, Tensor dz) {
        this.backend = backend;
        this.activation = activation;
        this.w = w;
        this.b = b;
        this.dw = dw;
        this.db = db;
        this.out = out;
        this.dz = dz;
    }

    /** A = f(X·Wᵀ + b) for the rows of x; returns a view of this layer's output. */
    public Tensor forward(Tensor x) {
        Tensor a = out.firstRows(x.rows());
        backend.denseForward(x, w, b, activation, a);
        input = x;
        return a;
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
            backend.denseBackwardInput(dzn, w, previous.activation, previous.out.firstRows(n), previous.dz.firstRows(n));
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
