package io.clprop.backend;

import io.clprop.backend.Activation;
import io.clprop.backend.DropoutMask;

import java.util.Optional;

/**
 * Where the numbers live and how each operation of training is computed. The network, losses and training
 * loop are written once against this interface; {@code OpenClBackend} runs each operation as a kernel from
 * {@code kernels/}, {@code CpuBackend} as plain Java loops (the reference every kernel is checked against).
 *
 * <p>Conventions: row-major; a batch is {@code B} rows; every operation takes its shapes from the tensor views
 * it is given (pass {@code t.firstRows(n)} for a partial batch). Operations are enqueued, not awaited: only
 * {@link #read} and {@link #write} of host arrays cross between host and device, and {@link #transfers()}
 * counts them.
 */
public interface Backend extends AutoCloseable {

    /** Human-readable device description, e.g. "cpu (double)" or "opencl:0 NVIDIA H100 (NVIDIA CUDA)". */
    String description();

    // ---- memory ---------------------------------------------------------------------------------------

    /** A zero-filled float32 matrix. */
    Tensor allocate(int rows, int cols);

    /** A zero-filled int32 column vector ({@code length × 1}), for labels, indices and predictions. */
    Tensor allocateInt(int length);

    /** Frees the buffer behind {@code t} (which must be the whole allocation, not a view). */
    void free(Tensor t);

    /** Number of buffers allocated and not yet freed. */
    int liveBuffers();

    /**
     * The memory a trainer must fit in, checked before it allocates anything (see {@code train.MemoryPlan}):
     * an OpenCL device's, or the Java heap for the CPU path; its {@link MemoryLimits#kind()} also bounds the
     * elements of one buffer. Empty where there is nothing to check.
     */
    default Optional<MemoryLimits> memoryLimits() {
        return Optional.empty();
    }

    void write(Tensor dst, float[] src);

    void writeInt(Tensor dst, int[] src);

    float[] read(Tensor src);

    int[] readInt(Tensor src);

    /** Waits for all enqueued work (counted as a blocking wait). */
    void finish();

    TransferStats transfers();

    // ---- dense layer: forward -------------------------------------------------------------------------

    /**
     * {@code c = op(a) · op(b)} where op transposes when asked. Shapes: op(a) is M×K, op(b) is K×N, c is M×N.
     * The three forms training needs: Z = X·Wᵀ (transB), dW = dZᵀ·X (transA), dX = dZ·W (none).
     */
    void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c);

    /** {@code dst = srcᵀ}; dst is cols×rows of src. */
    void transpose(Tensor src, Tensor dst);

    /**
     * {@code blocks} matrices of {@code rows × cols}, one after another in src, each transposed into dst in
     * the same order: {@code dst[b][c][r] = src[b][r][c]}. Only the tensors' sizes matter (both
     * blocks·rows·cols). A convolution's product (B·OH·OW) × C_out is this way its images' C_out × OH·OW
     * (NCHW), and an NCHW gradient the product's rows again. (OpenCL: transpose_each in conv.cl.)
     */
    void transposeEach(Tensor src, int blocks, int rows, int cols, Tensor dst);

    /** {@code z[r][c] += bias[c]}. */
    void addBias(Tensor z, Tensor bias);

    /** {@code out = f(z)} element-wise; {@code out} may be {@code z}. */
    void activate(Activation f, Tensor z, Tensor out);

    /**
     * The dense layer's forward pass in one operation: {@code out = f(x·wᵀ + b)}, x is B×in, w is out×in.
     * (OpenCL: dense_forward, the gemm_nt product with a bias and activation epilogue.)
     */
    void denseForward(Tensor x, Tensor w, Tensor bias, Activation f, Tensor out);

    // ---- dense layer: backward ------------------------------------------------------------------------

    /**
     * The gradient handed to the previous layer, through its activation, in one operation:
     * {@code dzPrev = (dz·w) ⊙ f′(aPrev)} with f′ taken from the previous layer's output aPrev.
     * (OpenCL: dense_backward_input, gemm_nn with an epilogue.)
     */
    void denseBackwardInput(Tensor dz, Tensor w, Activation fPrev, Tensor aPrev, Tensor dzPrev);

    /**
     * The layer's parameter gradients in one pass over dz: {@code dw = dzᵀ·x}, {@code db = Σ_rows dz}.
     * (OpenCL: dense_backward_weights, gemm_tn that also sums the columns of dz.)
     */
    void denseBackwardWeights(Tensor dz, Tensor x, Tensor dw, Tensor db);

    /** {@code dZ = dA ⊙ f′}, with f′ computed from the layer's output {@code a}; dZ may be dA. */
    void activationBackward(Activation f, Tensor a, Tensor dA, Tensor dZ);

    /** {@code db[c] = Σ_r dZ[r][c]} (column sums). */
    void biasGrad(Tensor dZ, Tensor db);

    // ---- dropout (training only) -----------------------------------------------------------------------

    /**
     * Inverted dropout forward: {@code out = a ⊙ m·scale}, m the mask of hidden layer {@code layer} in the
     * step of {@code mask} (element i of the view, row-major, is kept when the hash of (seed, step, layer, i)
     * is below the threshold; see {@link DropoutMask}); out may be a. (OpenCL: dropout_forward.)
     */
    void dropout(Tensor a, Tensor out, DropoutMask mask, int layer);

    /**
     * Dropout backward: {@code dA = dOut ⊙ m·scale} with the same mask recomputed, nothing stored between
     * the passes; dA may be dOut. (OpenCL: dropout_backward.)
     */
    void dropoutBackward(Tensor dOut, DropoutMask mask, int layer, Tensor dA);

    // ---- convolution and pooling ------------------------------------------------------------------------

    // A batch of B images is a B × C·H·W tensor (NCHW: image b's channel c, row h, column w at column
    // (c·H + h)·W + w of row b); WindowGeometry gives C, H, W, the window k, stride s, padding p and the
    // output size OH × OW.

    /**
     * The windows of every image as rows: {@code cols[(b·OH + oh)·OW + ow][(c·k + kh)·k + kw] =
     * x[b][c][oh·s − p + kh][ow·s − p + kw]}, 0 where that falls in the padding; x is B × C·H·W, cols is
     * (B·OH·OW) × C·k·k. (OpenCL: im2col in conv.cl.)
     *
     * <p>A row of cols is one window in the column order of PyTorch's flattened weights (C_out × C_in·k·k),
     * so a convolution is a dense layer applied to every window, with the existing products and their bias
     * epilogues: {@link #denseForward}{@code (cols, w, bias, f, y)} gives y = f(cols·wᵀ + b), (B·OH·OW) ×
     * C_out with the bias per output channel a column's; image b's rows, transposed ({@link #transpose}),
     * are its C_out × OH·OW output. Backward, dy transposed the same way into (B·OH·OW) × C_out:
     * {@link #denseBackwardWeights} gives dW = dyᵀ·cols and the channel's bias gradient (column sums) over
     * the whole batch in one product, and {@link #matmul}{@code (dy, w)} the windows' gradient, which
     * {@link #col2im} adds up into dX.
     */
    void im2col(Tensor x, WindowGeometry g, Tensor cols);

    /**
     * The adjoint of {@link #im2col}: {@code dx[b][c][h][w] = Σ cols[(b·OH + oh)·OW + ow][(c·k + kh)·k + kw]}
     * over every window (oh, ow) and offset (kh, kw) with oh·s − p + kh = h and ow·s − p + kw = w, so the
     * windows that overlap add up; padding receives nothing. Each element of dx is written (not added to)
     * with its sum taken in a fixed order, oh then ow ascending: no atomics, the same result every run.
     * (OpenCL: col2im in conv.cl.)
     */
    void col2im(Tensor cols, WindowGeometry g, Tensor dx);

    /**
     * Max-pool: {@code out[b][c][oh][ow]} is the largest value of the window at (oh·s − p, ow·s − p) of
     * channel c of image b, and {@code argmax} at the same position holds where it is in the channel,
     * h·W + w (PyTorch's {@code return_indices}). Ties: the first maximum in the window, row-major (the
     * smallest h, then the smallest w), wins, on every backend. Padding never wins: the geometry's padding is
     * at most half the window ({@link WindowGeometry#checkPooling}), so every window holds image pixels. x is
     * B × C·H·W, out B × C·OH·OW, argmax an int tensor of out's size (one buffer, kept on the device for the
     * backward pass). (OpenCL: maxpool_forward in pool.cl.)
     */
    void maxPoolForward(Tensor x, WindowGeometry g, Tensor out, Tensor argmax);

    /**
     * Max-pool backward: each window's gradient goes to the pixel its argmax names, {@code dx[b][c][h][w] =
     * Σ dOut[b][c][oh][ow]} over the windows (oh, ow) whose argmax is h·W + w, 0 for a pixel no window chose;
     * windows that overlap (stride below the window) may choose the same pixel, and their gradients add up.
     * Written as a gather over the windows that hold each pixel, oh then ow ascending: deterministic, no
     * atomics. Shapes as {@link #maxPoolForward}'s, dOut in out's place and dx in x's. (OpenCL:
     * maxpool_backward in pool.cl.)
     */
    default void maxPoolBackward(Tensor dOut, Tensor argmax, WindowGeometry g, Tensor dx) {
        maxPoolBackward(dOut, argmax, g, Activation.IDENTITY, dx, dx);
    }

    /**
     * {@link #maxPoolBackward(Tensor, Tensor, WindowGeometry, Tensor)} followed by the previous layer's
     * activation derivative, in one pass: {@code dx = (the gathered sums) ⊙ f′(a)}, f′ taken from that layer's
     * output {@code a} (x's shape) as {@link #activationBackward} takes it, and rounded as two separate
     * operations would round (the sum to float, then the product), so the result is theirs exactly. With the
     * identity, {@code a} is not read. A max-pool after an activation thus writes the previous layer's
     * dLoss/dZ without a second pass over the image (OpenCL: maxpool_backward and
     * maxpool_backward_disjoint in pool.cl).
     */
    void maxPoolBackward(Tensor dOut, Tensor argmax, WindowGeometry g, Activation f, Tensor a, Tensor dx);

    // ---- losses ---------------------------------------------------------------------------------------

    /**
     * Squared error. Per row: {@code rowLoss[r] = ½Σ_c (ŷ−y)²}; gradient {@code dYhat = (ŷ−y)/B} with B the
     * number of rows, so that the gradient is that of the batch mean.
     */
    void mseLoss(Tensor yHat, Tensor target, Tensor rowLoss, Tensor dYhat);

    /**
     * Fused softmax + cross-entropy on logits. Per row: {@code rowLoss[r] = logΣexp(z) − z[label]};
     * gradient {@code dZ = (softmax(z) − onehot(label))/B}.
     */
    void softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor rowLoss, Tensor dLogits);

    /**
     * {@code probs[r] = softmax(logits[r])}: class probabilities for prediction, {@code exp(z − max) / Σ exp(z − max)}
     * per row. probs has the shape of logits and may not be it.
     */
    void softmaxRows(Tensor logits, Tensor probs);

    /** {@code dst[index] = mean(rowLoss)}: the batch loss stays on the device until the epoch ends. */
    void meanInto(Tensor rowLoss, Tensor dst, int index);

    /**
     * {@code flag[index] = 1} if any element of x is NaN or infinite, else flag is unchanged: a divergence
     * check that stays on the device until the host reads the flag.
     */
    void flagNonFinite(Tensor x, Tensor flag, int index);

    // ---- optimizer ------------------------------------------------------------------------------------

    // Each update runs over whole buffers (all layers in one launch); g' = grads + weightDecay · params is
    // the gradient with L2 weight decay (weightDecay 0: the plain method).

    /** SGD: {@code params -= lr · g'}. */
    void sgdUpdate(Tensor params, Tensor grads, float lr, float weightDecay);

    /**
     * SGD with momentum in PyTorch's form: {@code velocity = μ·velocity + g'}, then
     * {@code params -= lr · velocity}, or with Nesterov {@code params -= lr · (g' + μ·velocity)}.
     */
    void momentumUpdate(Tensor params, Tensor grads, Tensor velocity, float lr, float momentum, float weightDecay,
                        boolean nesterov);

    /**
     * Adam: {@code m = β1·m + (1−β1)·g'}, {@code s = β2·s + (1−β2)·g'²},
     * {@code params -= lr · (m/c1) / (√(s/c2) + ε)}, where the caller passes the bias corrections
     * {@code c1 = 1−β1^t}, {@code c2 = 1−β2^t} of step t (so both backends use the same floats).
     */
    void adamUpdate(Tensor params, Tensor grads, Tensor m, Tensor s, float lr, float beta1, float beta2,
                    float epsilon, float weightDecay, float c1, float c2);

    /**
     * {@code y = a·x + b·y} element-wise (BLAS's axpby), with {@code b = 0} meaning y is not read (it may hold
     * anything, NaN included): the steps of data-parallel training's gradient sum ({@link ReplicaExchange}).
     * x may be on another device of the same OpenCL context. (OpenCL: axpby in reduce.cl.)
     */
    void axpby(float a, Tensor x, float b, Tensor y);

    /** {@code dst = src} (same size), on the device: e.g. keeping the best weights for early stopping. */
    void copy(Tensor src, Tensor dst);

    // ---- data -----------------------------------------------------------------------------------------

    /**
     * {@code dst[r] = src[indices[start + r]]} for each row r of dst. Works for float and int tensors (rows
     * are copied as 32-bit words), so a batch of features, targets and labels is gathered on the device
     * from data uploaded once.
     */
    void gatherRows(Tensor src, Tensor indices, int start, Tensor dst);

    /** {@code out[r] = argmax_c x[r][c]} (first maximum on ties); out is an int tensor. */
    void argmaxRows(Tensor x, Tensor out);

    /** Frees everything this backend allocated. Safe to call twice. */
    @Override
    void close();
}
