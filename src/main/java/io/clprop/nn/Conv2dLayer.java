package io.clprop.nn;

import io.clprop.backend.Backend;
import io.clprop.backend.DropoutMask;
import io.clprop.backend.Tensor;
import io.clprop.backend.WindowGeometry;

import java.util.List;

/**
 * A 2-d convolution, forward and backward side by side (built by {@link Conv2dSpec}): a dense layer applied
 * to every window of every image. With X the batch's windows as rows (im2col, (B·P) × C_in·k², P = OH·OW
 * windows per image) and W the filters (C_out × C_in·k²):
 *
 * <pre>
 * forward:  Y = f(X·Wᵀ + b)          (B·P) × C_out, one operation: denseForward (bias + activation epilogue)
 *           A = Y per image, transposed to C_out × P (NCHW)                       transposeEach
 * backward: dY = dZ per image, transposed back to (B·P) × C_out                   transposeEach
 *           dW = dYᵀ·X,  db = Σ_rows dY   (over every window of the batch)        denseBackwardWeights
 *           dX = dY·W, the windows' gradient, added up per pixel                  matmul, col2im
 *           dZprev = dXprev ⊙ f′prev(Aprev)                                       activationBackward
 * </pre>
 * The windows and the product's rows live in the network's workspace, shared by every layer: the backward
 * pass writes the windows again (im2col is a copy, cheap beside the products) rather than each layer
 * keeping its own, and the windows' gradient then overwrites them.
 */
final class Conv2dLayer implements Layer {
    private final Backend backend;
    private final WindowGeometry g;
    private final LayerOutput output;
    private final Tensor w;
    private final Tensor b;
    private final Tensor dw;
    private final Tensor db;
    private final Tensor workspace;
    /** The input of the last forward pass (the previous layer's A or Ã, which stays put until backward). */
    private Tensor input;

    Conv2dLayer(Backend backend, WindowGeometry g, LayerOutput output, Tensor w, Tensor b, Tensor dw, Tensor db,
                Tensor workspace) {
        this.backend = backend;
        this.g = g;
        this.output = output;
        this.w = w;
        this.b = b;
        this.dw = dw;
        this.db = db;
        this.workspace = workspace;
    }

    /** The windows of n images, at the start of the workspace. */
    private Tensor windows(int n) {
        return workspace.view(0, n * g.outputPixels(), g.patchSize());
    }

    /** The product's rows for n images, (n·P) × C_out, after the windows. */
    private Tensor productRows(int n) {
        return workspace.view(n * g.outputPixels() * g.patchSize(), n * g.outputPixels(), w.rows());
    }

    @Override
    public Tensor forward(Tensor x, DropoutMask m) {
        int n = x.rows();
        Tensor cols = windows(n), y = productRows(n);
        backend.im2col(x, g, cols);
        backend.denseForward(cols, w, b, output.activation(), y);
        backend.transposeEach(y, n, g.outputPixels(), w.rows(), output.values(n));
        input = x;
        return output.drop(n, m);
    }

    @Override
    public void backward(LayerOutput previous) {
        int n = input.rows();
        Tensor cols = windows(n), dy = productRows(n);
        backend.transposeEach(output.gradient(n), n, w.rows(), g.outputPixels(), dy);
        backend.im2col(input, g, cols);
        backend.denseBackwardWeights(dy, cols, dw, db);
        if (previous != null) {
            backend.matmul(dy, false, w, false, cols);
            Tensor dz = previous.gradient(n);
            backend.col2im(cols, g, dz);
            if (previous.activation() != io.clprop.backend.Activation.IDENTITY) {
                backend.activationBackward(previous.activation(), previous.values(n), dz, dz);
            }
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
