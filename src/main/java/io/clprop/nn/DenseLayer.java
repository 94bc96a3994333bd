package io.clprop.nn;

import io.clprop.backend.Backend;
import io.clprop.backend.Tensor;

/**
 * A fully connected layer, forward and backward side by side. Weights W (out × in) and bias b are views
 * into the network's parameter buffer, dW and db the matching views into its gradient buffer.
 *
 * <pre>
 * forward:  Z = X·Wᵀ + b,  A = f(Z)
 * backward: dZ = dA ⊙ f′(A),  dW = dZᵀ·X,  db = Σ_rows dZ,  dX = dZ·W
 * </pre>
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
    /** dLoss/dA for up to maxRows rows: written by the next layer's backward (or the loss), reused as dZ. */
    private final Tensor dOut;
    /** The input of the last forward pass, needed for dW. */
    private Tensor input;

    DenseLayer(Backend backend, Activation activation, Tensor w, Tensor b, Tensor dw, Tensor db,
               Tensor out, Tensor dOut) {
        this.backend = backend;
        this.activation = activation;
        this.w = w;
        this.b = b;
        this.dw = dw;
        this.db = db;
        this.out = out;
        this.dOut = dOut;
    }

    /** A = f(X·Wᵀ + b) for the rows of x; returns a view of this layer's output. */
    public Tensor forward(Tensor x) {
        int n = x.rows();
        Tensor a = out.firstRows(n);
        backend.matmul(x, false, w, true, a);
        backend.addBias(a, b);
        if (activation != Activation.IDENTITY) {
            backend.activate(activation, a, a);
        }
        input = x;
        return a;
    }

    /**
     * Reads dLoss/dA for the last forward's rows from {@link #gradOutput}, writes dW and db, and dX into
     * {@code dInput} unless it is null (the first layer's input needs no gradient).
     */
    public void backward(Tensor dInput) {
        int n = input.rows();
        Tensor dz = dOut.firstRows(n);
        if (activation != Activation.IDENTITY) {
            backend.activationBackward(activation, out.firstRows(n), dz, dz);
        }
        backend.matmul(dz, true, input, false, dw);
        backend.biasGrad(dz, db);
        if (dInput != null) {
            backend.matmul(dz, false, w, false, dInput);
        }
    }

    /** The buffer that receives dLoss/dA (first n rows used). */
    public Tensor gradOutput(int n) {
        return dOut.firstRows(n);
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
