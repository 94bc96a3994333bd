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
 *           dZprev = dXprev ⊙ f′prev(Aprev), then its dropout mask          previous.inputGradientBackward
 * </pre>
 * The layer keeps its batch's windows from the forward pass for dW (writing them again in the backward pass
 * would save their memory, a copy of the input k² times over, at two more im2col launches a step, about a
 * tenth of the reference CNN's step on PoCL); once dW is taken, the windows' gradient overwrites them. The
 * product's rows, needed only between a product and its transpose, live in the network's workspace, which
 * every layer shares.
 */
final class Conv2dLayer implements Layer {
    private final Backend backend;
    private final WindowGeometry g;
    private final LayerOutput output;
    private final Tensor w;
    private final Tensor b;
    private final Tensor dw;
    private final Tensor db;
    /** The windows of the last forward pass, then (in the backward pass) their gradient. */
    private final Tensor windows;
    private final Tensor workspace;
    /** The input of the last forward pass (the previous layer's A or Ã, which stays put until backward). */
    private Tensor input;

    Conv2dLayer(Backend backend, WindowGeometry g, LayerOutput output, Tensor w, Tensor b, Tensor dw, Tensor db,
                Tensor windows, Tensor workspace) {
        this.backend = backend;
        this.g = g;
        this.output = output;
        this.w = w;
        this.b = b;
        this.dw = dw;
        this.db = db;
        this.windows = windows;
        this.workspace = workspace;
    }

    /** The windows of n images. */
    private Tensor windows(int n) {
        return windows.firstRows(n * g.outputPixels());
    }

    /** The product's rows for n images, (n·P) × C_out, in the shared workspace. */
    private Tensor productRows(int n) {
        return workspace.view(0, n * g.outputPixels(), w.rows());
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
        backend.denseBackwardWeights(dy, cols, dw, db);
        if (previous != null) {
            backend.matmul(dy, false, w, false, cols);
            backend.col2im(cols, g, previous.gradient(n));
            previous.inputGradientBackward(n);
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
