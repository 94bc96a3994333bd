package io.clprop.nn;

import io.clprop.backend.Backend;
import io.clprop.backend.DropoutMask;
import io.clprop.backend.Tensor;

import java.util.List;

/**
 * A fully connected layer, forward and backward side by side (built by {@link DenseSpec}). Weights W
 * (out × in) and bias b are views into the network's parameter buffer, dW and db the matching views into
 * its gradient buffer.
 *
 * <pre>
 * forward:  A = f(X·Wᵀ + b)                                   one operation: denseForward
 * backward: dW = dZᵀ·X,  db = Σ_rows dZ                        one operation: denseBackwardWeights
 *           dZprev = (dZ·W) ⊙ f′prev(Aprev)                    one operation: denseBackwardInput
 * </pre>
 * The backward pass hands the previous layer its dZ directly (through that layer's activation). After
 * dropout on the previous layer's output, X is its dropped output Ã, so dW = dZᵀ·Ã, and dZ·W is dLoss/dÃ,
 * which {@link LayerOutput#dropoutBackward} turns into dLoss/dZprev with the same mask.
 */
final class DenseLayer implements Layer {
    private final Backend backend;
    private final LayerOutput output;
    private final Tensor w;
    private final Tensor b;
    private final Tensor dw;
    private final Tensor db;
    /** The input of the last forward pass, needed for dW. */
    private Tensor input;

    DenseLayer(Backend backend, LayerOutput output, Tensor w, Tensor b, Tensor dw, Tensor db) {
        this.backend = backend;
        this.output = output;
        this.w = w;
        this.b = b;
        this.dw = dw;
        this.db = db;
    }

    @Override
    public Tensor forward(Tensor x, DropoutMask m) {
        int n = x.rows();
        backend.denseForward(x, w, b, output.activation(), output.values(n));
        input = x;
        return output.drop(n, m);
    }

    @Override
    public void backward(LayerOutput previous) {
        int n = input.rows();
        Tensor dz = output.gradient(n);
        backend.denseBackwardWeights(dz, input, dw, db);
        if (previous != null) {
            backend.denseBackwardInput(dz, w, previous.activation(), previous.values(n), previous.gradient(n));
            previous.dropoutBackward(n);
        }
    }

    @Override
    public LayerOutput output() {
        return output;
    }

    @Override
    public List<Tensor> parameters() {
        return List.of(w, b);
    }

    @Override
    public List<Tensor> gradients() {
        return List.of(dw, db);
    }
}
