package io.clprop.nn;

import io.clprop.backend.Backend;
import io.clprop.backend.DropoutMask;
import io.clprop.backend.Tensor;
import io.clprop.backend.WindowGeometry;

import java.util.List;

/**
 * A max-pool, forward and backward side by side (built by {@link MaxPoolSpec}):
 * <pre>
 * forward:  A[b][c][oh][ow] = max of the window, and where it is (indices, kept on the device)  maxPoolForward
 * backward: dZprev = (each window's dA at its maximum, added up per pixel) ⊙ f′prev(Aprev)   maxPoolBackward
 *           then the previous layer's dropout mask                                       previous.dropoutBackward
 * </pre>
 * Its activation is the identity, so its gradient buffer's dLoss/dZ is dLoss/dA. The maximum is taken over
 * the layer's input as it is (after the previous layer's dropout, when there is one), and the gradient is
 * that with respect to the input, which the previous layer's activation and dropout then carry back.
 */
final class MaxPoolLayer implements Layer {
    private final Backend backend;
    private final WindowGeometry g;
    private final LayerOutput output;
    /** Indices of the maxima, maxRows × units, int. */
    private final Tensor indices;
    private int rows;

    MaxPoolLayer(Backend backend, WindowGeometry g, LayerOutput output, Tensor indices) {
        this.backend = backend;
        this.g = g;
        this.output = output;
        this.indices = indices;
    }

    private Tensor indices(int n) {
        return indices.firstRows(n);
    }

    @Override
    public Tensor forward(Tensor x, DropoutMask m) {
        rows = x.rows();
        backend.maxPoolForward(x, g, output.values(rows), indices(rows));
        return output.drop(rows, m);
    }

    @Override
    public void backward(LayerOutput previous) {
        if (previous == null) {
            return; // nothing to learn, and no layer before it to hand a gradient to
        }
        // f′prev in the scatter's own pass; the dropout mask, if any, after it (the products commute).
        backend.maxPoolBackward(output.gradient(rows), indices(rows), g, previous.activation(),
                previous.values(rows), previous.gradient(rows));
        previous.dropoutBackward(rows);
    }

    @Override
    public LayerOutput output() {
        return output;
    }

    @Override
    public List<Tensor> parameters() {
        return List.of();
    }

    @Override
    public List<Tensor> gradients() {
        return List.of();
    }
}
