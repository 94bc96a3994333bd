package io.clprop.backend.cpu;

import io.clprop.backend.Backend;
import io.clprop.backend.MemoryLimits;
import io.clprop.backend.Shapes;
import io.clprop.backend.Tensor;
import io.clprop.backend.Tensor.DType;
import io.clprop.backend.TransferStats;
import io.clprop.backend.WindowGeometry;
import io.clprop.backend.Activation;
import io.clprop.backend.DropoutMask;
import io.clprop.util.UserError;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The reference: one plain-Java method per kernel, written to be obviously right rather than fast.
 *
 * <p>Values are held in doubles. In {@link Precision#FLOAT} mode every result an operation stores is rounded
 * to float32, so the CPU path holds exactly the float values a float32 device should hold, each computed
 * with a double-precision accumulator (the correctly rounded answer, which is what a kernel is judged
 * against). In {@link Precision#DOUBLE} mode nothing is rounded; the gradient check uses that to compare
 * analytic gradients with finite differences at 1e-6.
 */
public final class CpuBackend implements Backend {

    public enum Precision { FLOAT, DOUBLE }

    /** Rows × columns × depth above which a product is split across cores (rows are independent). */
    private static final long PARALLEL_WORK = 1 << 16;

    private final Precision precision;
    private final TransferStats transfers = new TransferStats();
    private final Set<Object> live = Collections.newSetFromMap(new IdentityHashMap<>());

    public CpuBackend() {
        this(Precision.FLOAT);
    }

    public CpuBackend(Precision precision) {
        this.precision = precision;
    }

    public Precision precision() {
        return precision;
    }

    @Override
    public String description() {
        return "cpu (" + (precision == Precision.FLOAT ? "float32 results, double accumulation" : "float64") + ")";
    }

    private double round(double x) {
        return precision == Precision.FLOAT ? (double) (float) x : x;
    }

    // ---- memory ---------------------------------------------------------------------------------------

    /**
     * The Java heap: a trainer's plan is checked against its maximum (and the array limit) before anything
     * is allocated. Not capped by {@value MemoryLimits#PROPERTY}, which describes devices.
     */
    @Override
    public Optional<MemoryLimits> memoryLimits() {
        return Optional.of(MemoryLimits.javaHeap(description(), Runtime.getRuntime().maxMemory()));
    }

    @Override
    public Tensor allocate(int rows, int cols) {
        long elements = (long) rows * cols;
        MemoryLimits.Kind.JAVA_HEAP.checkElements("a " + rows + "×" + cols + " tensor would", elements, false);
        double[] data;
        try {
            data = new double[(int) elements];
        } catch (OutOfMemoryError e) {
            throw outOfMemory(rows + "×" + cols + " floats (" + MemoryLimits.format(8 * elements) + " as doubles)", e);
        }
        live.add(data);
        return new Tensor(data, DType.FLOAT32, 0, rows, cols);
    }

    @Override
    public Tensor allocateInt(int length) {
        int[] data;
        try {
            data = new int[length];
        } catch (OutOfMemoryError e) {
            throw outOfMemory(length + " ints (" + MemoryLimits.formatWords(length) + ")", e);
        }
        live.add(data);
        return new Tensor(data, DType.INT32, 0, length, 1);
    }

    /**
     * The heap could not hold one more array: a one-line error with the sizes instead of the
     * OutOfMemoryError. Catching it here is safe: the failed allocation is the one array that could not be
     * made, nothing else is left half-done, and the caller's buffers become garbage once the error unwinds
     * it. (A trainer's plan refuses runs larger than the heap's maximum before this; this covers what the
     * plan cannot know, how much of the heap is already taken.)
     */
    private static UserError outOfMemory(String what, OutOfMemoryError e) {
        Runtime rt = Runtime.getRuntime();
        return new UserError("not enough memory: the CPU path could not allocate " + what + "; the JVM's heap "
                + "holds at most " + MemoryLimits.format(rt.maxMemory()) + " (set with -Xmx; bin/clprop passes "
                + "CLPROP_JAVA_OPTS to java), of which " + MemoryLimits.format(rt.totalMemory() - rt.freeMemory())
                + " is in use; use a smaller run or a larger -Xmx", e);
    }

    @Override
    public void free(Tensor t) {
        live.remove(t.buffer());
    }

    @Override
    public int liveBuffers() {
        return live.size();
    }

    @Override
    public void write(Tensor dst, float[] src) {
        Shapes.checkLength(dst, src.length);
        double[] d = f(dst);
        for (int i = 0; i < src.length; i++) {
            d[dst.offset() + i] = src[i];
        }
        transfers.hostToDevice(4L * src.length);
    }

    /** Exact double values, for the gradient check (DOUBLE precision). */
    public void writeDouble(Tensor dst, double[] src) {
        Shapes.checkLength(dst, src.length);
        System.arraycopy(src, 0, f(dst), dst.offset(), src.length);
    }

    public double[] readDouble(Tensor src) {
        double[] out = new double[src.size()];
        System.arraycopy(f(src), src.offset(), out, 0, out.length);
        return out;
    }

    @Override
    public void writeInt(Tensor dst, int[] src) {
        Shapes.checkLength(dst, src.length);
        System.arraycopy(src, 0, i(dst), dst.offset(), src.length);
        transfers.hostToDevice(4L * src.length);
    }

    @Override
    public float[] read(Tensor src) {
        double[] d = f(src);
        float[] out = new float[src.size()];
        for (int k = 0; k < out.length; k++) {
            out[k] = (float) d[src.offset() + k];
        }
        transfers.deviceToHost(4L * out.length);
        return out;
    }

    @Override
    public int[] readInt(Tensor src) {
        int[] out = new int[src.size()];
        System.arraycopy(i(src), src.offset(), out, 0, out.length);
        transfers.deviceToHost(4L * out.length);
        return out;
    }

    @Override
    public void finish() {
        // Nothing is ever queued here.
    }

    @Override
    public TransferStats transfers() {
        return transfers;
    }

    // ---- dense layer: forward -------------------------------------------------------------------------

    @Override
    public void matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c) {
        final int[] mnk = Shapes.matmul(a, transA, b, transB, c);
        final int m = mnk[0], n = mnk[1], k = mnk[2];
        final double[] A = f(a), C = f(c);
        final int ao = a.offset(), co = c.offset();
        // Row k of op(b) must be contiguous for the inner loop; a transposed b is copied first, as the
        // OpenCL backend does.
        final double[] B;
        final int bo;
        if (transB) {
            B = new double[k * n];
            double[] src = f(b);
            for (int j = 0; j < n; j++) {
                for (int kk = 0; kk < k; kk++) {
                    B[kk * n + j] = src[b.offset() + j * k + kk];
                }
            }
            bo = 0;
        } else {
            B = f(b);
            bo = b.offset();
        }
        rows(m, (long) m * n * k).forEach(i -> {
            double[] acc = new double[n];
            for (int kk = 0; kk < k; kk++) {
                double av = transA ? A[ao + kk * m + i] : A[ao + i * k + kk];
                int brow = bo + kk * n;
                for (int j = 0; j < n; j++) {
                    acc[j] += av * B[brow + j];
                }
            }
            for (int j = 0; j < n; j++) {
                C[co + i * n + j] = round(acc[j]);
            }
        });
    }

    @Override
    public void denseForward(Tensor x, Tensor w, Tensor bias, Activation fn, Tensor out) {
        int[] mnk = Shapes.matmul(x, false, w, true, out);
        Shapes.checkBias(out, bias);
        int m = mnk[0], n = mnk[1], k = mnk[2];
        double[] X = f(x), W = f(w), B = f(bias), O = f(out);
        rows(m, (long) m * n * k).forEach(i -> {
            for (int j = 0; j < n; j++) {
                double s = B[bias.offset() + j];
                for (int kk = 0; kk < k; kk++) {
                    s += X[x.offset() + i * k + kk] * W[w.offset() + j * k + kk];
                }
                O[out.offset() + i * n + j] = round(fn.apply(s));
            }
        });
    }

    @Override
    public void denseBackwardInput(Tensor dz, Tensor w, Activation fPrev, Tensor aPrev, Tensor dzPrev) {
        int[] mnk = Shapes.matmul(dz, false, w, false, dzPrev);
        Shapes.checkSame(aPrev, dzPrev);
        int m = mnk[0], n = mnk[1], k = mnk[2];
        double[] DZ = f(dz), W = f(w), A = f(aPrev), O = f(dzPrev);
        rows(m, (long) m * n * k).forEach(i -> {
            double[] acc = new double[n];
            for (int kk = 0; kk < k; kk++) {
                double d = DZ[dz.offset() + i * k + kk];
                int wrow = w.offset() + kk * n;
                for (int j = 0; j < n; j++) {
                    acc[j] += d * W[wrow + j];
                }
            }
            for (int j = 0; j < n; j++) {
                double a = A[aPrev.offset() + i * n + j];
                O[dzPrev.offset() + i * n + j] = round(acc[j] * fPrev.derivativeFromOutput(a));
            }
        });
    }

    @Override
    public void denseBackwardWeights(Tensor dz, Tensor x, Tensor dw, Tensor db) {
        Shapes.checkBias(dz, db);
        matmul(dz, true, x, false, dw);
        biasGrad(dz, db);
    }

    /** Row indices 0..m−1, split across cores when the product is large enough to pay for it. */
    private static IntStream rows(int m, long work) {
        IntStream rows = IntStream.range(0, m);
        return work > PARALLEL_WORK ? rows.parallel() : rows;
    }

    @Override
    public void transpose(Tensor src, Tensor dst) {
        Shapes.checkTranspose(src, dst);
        double[] s = f(src), d = f(dst);
        for (int r = 0; r < src.rows(); r++) {
            for (int c = 0; c < src.cols(); c++) {
                d[dst.offset() + c * src.rows() + r] = s[src.offset() + r * src.cols() + c];
            }
        }
    }

    @Override
    public void transposeEach(Tensor src, int blocks, int rows, int cols, Tensor dst) {
        Shapes.checkTransposeEach(src, blocks, rows, cols, dst);
        double[] s = f(src), d = f(dst);
        for (int b = 0; b < blocks; b++) {
            int from = src.offset() + b * rows * cols, to = dst.offset() + b * rows * cols;
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    d[to + c * rows + r] = s[from + r * cols + c];
                }
            }
        }
    }

    @Override
    public void addBias(Tensor z, Tensor bias) {
        Shapes.checkBias(z, bias);
        double[] Z = f(z), b = f(bias);
        for (int r = 0; r < z.rows(); r++) {
            for (int c = 0; c < z.cols(); c++) {
                int idx = z.offset() + r * z.cols() + c;
                Z[idx] = round(Z[idx] + b[bias.offset() + c]);
            }
        }
    }

    @Override
    public void activate(Activation fn, Tensor z, Tensor out) {
        Shapes.checkSame(z, out);
        double[] Z = f(z), O = f(out);
        for (int k = 0; k < z.size(); k++) {
            O[out.offset() + k] = round(fn.apply(Z[z.offset() + k]));
        }
    }

    // ---- dense layer: backward ------------------------------------------------------------------------

    @Override
    public void activationBackward(Activation fn, Tensor a, Tensor dA, Tensor dZ) {
        Shapes.checkSame(a, dA);
        Shapes.checkSame(a, dZ);
        double[] A = f(a), DA = f(dA), DZ = f(dZ);
        for (int k = 0; k < a.size(); k++) {
            DZ[dZ.offset() + k] = round(DA[dA.offset() + k] * fn.derivativeFromOutput(A[a.offset() + k]));
        }
    }

    @Override
    public void biasGrad(Tensor dZ, Tensor db) {
        Shapes.checkBias(dZ, db);
        double[] DZ = f(dZ), DB = f(db);
        for (int c = 0; c < dZ.cols(); c++) {
            double s = 0;
            for (int r = 0; r < dZ.rows(); r++) {
                s += DZ[dZ.offset() + r * dZ.cols() + c];
            }
            DB[db.offset() + c] = round(s);
        }
    }

    // ---- dropout --------------------------------------------------------------------------------------

    // The mask is DropoutMask's hash, the integer function the kernels compute; a kept value is a·scale, one
    // product of two floats (exact in double), rounded once: the float product a device computes.

    @Override
    public void dropout(Tensor a, Tensor out, DropoutMask mask, int layer) {
        Shapes.checkSame(a, out);
        applyMask(f(a), a.offset(), f(out), out.offset(), a.size(), a.cols(), mask, layer);
    }

    @Override
    public void dropoutBackward(Tensor dOut, DropoutMask mask, int layer, Tensor dA) {
        Shapes.checkSame(dOut, dA);
        applyMask(f(dOut), dOut.offset(), f(dA), dA.offset(), dOut.size(), dOut.cols(), mask, layer);
    }

    private void applyMask(double[] src, int srcOff, double[] dst, int dstOff, int n, int cols, DropoutMask mask,
                           int layer) {
        int key = mask.key(layer);
        double scale = mask.scale();
        int first = mask.indexOf(0, cols);
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = mask.keepUnderKey(key, first + i) ? round(src[srcOff + i] * scale) : 0;
        }
    }

    // ---- convolution and pooling ------------------------------------------------------------------------

    // im2col and the max-pool forward copy values (exact); col2im and the max-pool backward add up the
    // windows that reach a pixel in double, rounded once, in the kernels' order (oh, then ow, ascending).

    @Override
    public void im2col(Tensor x, WindowGeometry g, Tensor cols) {
        Shapes.checkPatches(x, g, cols);
        double[] X = f(x), P = f(cols);
        int c = g.channels(), h = g.height(), w = g.width(), k = g.kernel(), oh = g.outHeight(), ow = g.outWidth();
        int row = 0;
        for (int b = 0; b < x.rows(); b++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++, row++) {
                    int at = cols.offset() + row * g.patchSize();
                    for (int ch = 0; ch < c; ch++) {
                        for (int kh = 0; kh < k; kh++) {
                            for (int kw = 0; kw < k; kw++) {
                                int y = i * g.stride() - g.padding() + kh, z = j * g.stride() - g.padding() + kw;
                                boolean inside = y >= 0 && y < h && z >= 0 && z < w;
                                P[at++] = inside ? X[x.offset() + b * g.imageSize() + (ch * h + y) * w + z] : 0;
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void col2im(Tensor cols, WindowGeometry g, Tensor dx) {
        Shapes.checkPatches(dx, g, cols);
        double[] P = f(cols), D = f(dx);
        int k = g.kernel(), s = g.stride(), p = g.padding(), ow = g.outWidth();
        forEachPixel(dx, g, (b, ch, y, z) -> {
            double sum = 0;
            for (int i = firstWindow(y, g); i <= lastWindow(y, g, g.outHeight()); i++) {
                for (int j = firstWindow(z, g); j <= lastWindow(z, g, ow); j++) {
                    int kh = y + p - i * s, kw = z + p - j * s;
                    int window = (b * g.outHeight() + i) * ow + j;
                    sum += P[cols.offset() + window * g.patchSize() + (ch * k + kh) * k + kw];
                }
            }
            return sum;
        });
    }

    @Override
    public void maxPoolForward(Tensor x, WindowGeometry g, Tensor out, Tensor argmax) {
        Shapes.checkMaxPool(x, g, out, argmax);
        double[] X = f(x), O = f(out);
        int[] A = i(argmax);
        int h = g.height(), w = g.width(), k = g.kernel();
        int index = 0;
        for (int plane = 0; plane < x.rows() * g.channels(); plane++) {
            int base = x.offset() + plane * h * w;
            for (int i = 0; i < g.outHeight(); i++) {
                for (int j = 0; j < g.outWidth(); j++, index++) {
                    int best = -1;
                    for (int kh = 0; kh < k; kh++) {
                        for (int kw = 0; kw < k; kw++) {
                            int y = i * g.stride() - g.padding() + kh, z = j * g.stride() - g.padding() + kw;
                            boolean inside = y >= 0 && y < h && z >= 0 && z < w;
                            // Strictly greater: the first maximum, row-major, keeps its place on a tie.
                            if (inside && (best < 0 || X[base + y * w + z] > X[base + best])) {
                                best = y * w + z;
                            }
                        }
                    }
                    O[out.offset() + index] = X[base + best];
                    A[argmax.offset() + index] = best;
                }
            }
        }
    }

    @Override
    public void maxPoolBackward(Tensor dOut, Tensor argmax, WindowGeometry g, Activation fn, Tensor a, Tensor dx) {
        Shapes.checkMaxPool(dx, g, dOut, argmax);
        Shapes.checkSame(dx, a);
        double[] G = f(dOut), AV = f(a);
        int[] A = i(argmax);
        int width = g.channels() * g.height() * g.width();
        int oh = g.outHeight(), ow = g.outWidth();
        forEachPixel(dx, g, (b, ch, y, z) -> {
            int plane = (b * g.channels() + ch) * oh * ow;
            double sum = 0;
            for (int i = firstWindow(y, g); i <= lastWindow(y, g, oh); i++) {
                for (int j = firstWindow(z, g); j <= lastWindow(z, g, ow); j++) {
                    if (A[argmax.offset() + plane + i * ow + j] == y * g.width() + z) {
                        sum += G[dOut.offset() + plane + i * ow + j];
                    }
                }
            }
            if (fn == Activation.IDENTITY) {
                return sum;
            }
            // activationBackward's product of the rounded sum, so that the fusion changes no bit.
            double out = AV[a.offset() + b * width + (ch * g.height() + y) * g.width() + z];
            return round(sum) * fn.derivativeFromOutput(out);
        });
    }

    /** The value of pixel (b, c, y, z) of a batch of images, for {@link #forEachPixel}. */
    @FunctionalInterface
    private interface PixelValue {
        double at(int b, int c, int y, int z);
    }

    /** Stores {@code value} of every pixel of the images of {@code t}, rounded, in NCHW order. */
    private void forEachPixel(Tensor t, WindowGeometry g, PixelValue value) {
        double[] T = f(t);
        int at = t.offset();
        for (int b = 0; b < t.rows(); b++) {
            for (int c = 0; c < g.channels(); c++) {
                for (int y = 0; y < g.height(); y++) {
                    for (int z = 0; z < g.width(); z++) {
                        T[at++] = round(value.at(b, c, y, z));
                    }
                }
            }
        }
    }

    /**
     * The first window, along one axis, that holds pixel {@code y}: the smallest o with o·s − p + k − 1 ≥ y.
     * (Both axes use the same k, s and p.)
     */
    private static int firstWindow(int y, WindowGeometry g) {
        int reach = y + g.padding() - g.kernel() + 1;
        return reach <= 0 ? 0 : (reach + g.stride() - 1) / g.stride();
    }

    /** The last window, along an axis of {@code windows}, that holds pixel {@code y}: o·s − p ≤ y. */
    private static int lastWindow(int y, WindowGeometry g, int windows) {
        return Math.min(windows - 1, (y + g.padding()) / g.stride());
    }

    // ---- losses ---------------------------------------------------------------------------------------

    @Override
    public void mseLoss(Tensor yHat, Tensor target, Tensor rowLoss, Tensor dYhat) {
        Shapes.checkSame(yHat, target);
        Shapes.checkSame(yHat, dYhat);
        Shapes.checkRowVector(yHat, rowLoss);
        double[] Y = f(yHat), T = f(target), L = f(rowLoss), G = f(dYhat);
        int rows = yHat.rows(), cols = yHat.cols();
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int c = 0; c < cols; c++) {
                double d = Y[yHat.offset() + r * cols + c] - T[target.offset() + r * cols + c];
                s += d * d;
                G[dYhat.offset() + r * cols + c] = round(d / rows);
            }
            L[rowLoss.offset() + r] = round(0.5 * s);
        }
    }

    @Override
    public void softmaxCrossEntropy(Tensor logits, Tensor labels, Tensor rowLoss, Tensor dLogits) {
        Shapes.checkSame(logits, dLogits);
        Shapes.checkRowVector(logits, rowLoss);
        Shapes.checkRowVector(logits, labels);
        double[] Z = f(logits), L = f(rowLoss), G = f(dLogits);
        int[] y = i(labels);
        int rows = logits.rows(), cols = logits.cols();
        for (int r = 0; r < rows; r++) {
            int base = logits.offset() + r * cols;
            int label = y[labels.offset() + r];
            if (label < 0 || label >= cols) {
                throw new IllegalArgumentException("label " + label + " outside 0.." + (cols - 1) + " at row " + r);
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, Z[base + c]);
            }
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                sum += Math.exp(Z[base + c] - max);
            }
            double logSum = max + Math.log(sum);
            L[rowLoss.offset() + r] = round(logSum - Z[base + label]);
            int gbase = dLogits.offset() + r * cols;
            for (int c = 0; c < cols; c++) {
                double p = Math.exp(Z[base + c] - logSum);
                G[gbase + c] = round((p - (c == label ? 1.0 : 0.0)) / rows);
            }
        }
    }

    @Override
    public void softmaxRows(Tensor logits, Tensor probs) {
        Shapes.checkSame(logits, probs);
        double[] Z = f(logits), P = f(probs);
        int rows = logits.rows(), cols = logits.cols();
        double[] e = new double[cols];
        for (int r = 0; r < rows; r++) {
            int base = logits.offset() + r * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, Z[base + c]);
            }
            double sum = 0;
            for (int c = 0; c < cols; c++) {
                e[c] = Math.exp(Z[base + c] - max);
                sum += e[c];
            }
            for (int c = 0; c < cols; c++) {
                P[probs.offset() + r * cols + c] = round(e[c] / sum);
            }
        }
    }

    @Override
    public void flagNonFinite(Tensor x, Tensor flag, int index) {
        Shapes.checkIndex("flagNonFinite", flag, index);
        double[] X = f(x);
        for (int k = 0; k < x.size(); k++) {
            // Non-finite as a float: a double beyond float's range is infinite once stored on a device.
            if (!Float.isFinite((float) X[x.offset() + k])) {
                f(flag)[flag.offset() + index] = 1;
                return;
            }
        }
    }

    @Override
    public void meanInto(Tensor rowLoss, Tensor dst, int index) {
        Shapes.checkIndex("meanInto", dst, index);
        double[] L = f(rowLoss);
        double s = 0;
        for (int k = 0; k < rowLoss.size(); k++) {
            s += L[rowLoss.offset() + k];
        }
        f(dst)[dst.offset() + index] = round(s / rowLoss.size());
    }

    // ---- optimizer ------------------------------------------------------------------------------------

    // The updates follow the kernels' order of operations, each stored value rounded once (in FLOAT mode)
    // from double intermediates: lr, μ, β and the corrections arrive as the floats the device gets.

    @Override
    public void sgdUpdate(Tensor params, Tensor grads, float lr, float weightDecay) {
        Shapes.checkSameSize(params, grads);
        double[] P = f(params), G = f(grads);
        for (int k = 0; k < params.size(); k++) {
            double p = P[params.offset() + k];
            double g = G[grads.offset() + k] + (double) weightDecay * p;
            P[params.offset() + k] = round(p - (double) lr * g);
        }
    }

    @Override
    public void axpby(float a, Tensor x, float b, Tensor y) {
        Shapes.checkSameSize(x, y);
        double[] X = f(x), Y = f(y);
        for (int k = 0; k < y.size(); k++) {
            double ax = (double) a * X[x.offset() + k];
            Y[y.offset() + k] = round(b == 0 ? ax : ax + (double) b * Y[y.offset() + k]);
        }
    }

    @Override
    public void momentumUpdate(Tensor params, Tensor grads, Tensor velocity, float lr, float momentum,
                               float weightDecay, boolean nesterov) {
        Shapes.checkSameSize(params, grads, velocity);
        double[] P = f(params), G = f(grads), V = f(velocity);
        for (int k = 0; k < params.size(); k++) {
            double p = P[params.offset() + k];
            double g = G[grads.offset() + k] + (double) weightDecay * p;
            double v = round((double) momentum * V[velocity.offset() + k] + g);
            V[velocity.offset() + k] = v;
            P[params.offset() + k] = round(p - (double) lr * (nesterov ? g + (double) momentum * v : v));
        }
    }

    @Override
    public void adamUpdate(Tensor params, Tensor grads, Tensor m, Tensor s, float lr, float beta1, float beta2,
                           float epsilon, float weightDecay, float c1, float c2) {
        Shapes.checkSameSize(params, grads, m, s);
        double[] P = f(params), G = f(grads), M = f(m), S = f(s);
        double b1 = beta1, b2 = beta2;
        for (int k = 0; k < params.size(); k++) {
            double p = P[params.offset() + k];
            double g = G[grads.offset() + k] + (double) weightDecay * p;
            double mk = round(b1 * M[m.offset() + k] + (1 - b1) * g);
            double sk = round(b2 * S[s.offset() + k] + (1 - b2) * g * g);
            M[m.offset() + k] = mk;
            S[s.offset() + k] = sk;
            P[params.offset() + k] = round(p - (double) lr * (mk / c1) / (Math.sqrt(sk / c2) + epsilon));
        }
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        Shapes.checkSameSize(src, dst);
        System.arraycopy(f(src), src.offset(), f(dst), dst.offset(), src.size());
    }

    // ---- data -----------------------------------------------------------------------------------------

    @Override
    public void gatherRows(Tensor src, Tensor indices, int start, Tensor dst) {
        Shapes.checkGather(src, indices, start, dst);
        int[] idx = i(indices);
        int cols = src.cols();
        for (int r = 0; r < dst.rows(); r++) {
            int from = idx[indices.offset() + start + r];
            if (from < 0 || from >= src.rows()) {
                throw new IndexOutOfBoundsException("gather index " + from + " of " + src.rows());
            }
            System.arraycopy(src.buffer(), src.offset() + from * cols, dst.buffer(), dst.offset() + r * cols, cols);
        }
    }

    @Override
    public void argmaxRows(Tensor x, Tensor out) {
        Shapes.checkRowVector(x, out);
        double[] X = f(x);
        int[] o = i(out);
        for (int r = 0; r < x.rows(); r++) {
            int base = x.offset() + r * x.cols();
            int best = 0;
            for (int c = 1; c < x.cols(); c++) {
                if (X[base + c] > X[base + best]) {
                    best = c;
                }
            }
            o[out.offset() + r] = best;
        }
    }

    @Override
    public void close() {
        live.clear();
    }

    // ---- helpers --------------------------------------------------------------------------------------

    private static double[] f(Tensor t) {
        if (t.dtype() != DType.FLOAT32) {
            throw new IllegalArgumentException("expected a float tensor, got " + t);
        }
        return (double[]) t.buffer();
    }

    private static int[] i(Tensor t) {
        if (t.dtype() != DType.INT32) {
            throw new IllegalArgumentException("expected an int tensor, got " + t);
        }
        return (int[]) t.buffer();
    }
}
