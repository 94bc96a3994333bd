package io.clprop.backend;

/** Shape checks shared by the backends, so both reject the same misuse with the same message. */
public final class Shapes {
    private Shapes() {
    }

    /** Returns {M, N, K} for {@code c = op(a)·op(b)}, or throws if the shapes do not agree. */
    public static int[] matmul(Tensor a, boolean transA, Tensor b, boolean transB, Tensor c) {
        int m = transA ? a.cols() : a.rows();
        int k = transA ? a.rows() : a.cols();
        int kb = transB ? b.cols() : b.rows();
        int n = transB ? b.rows() : b.cols();
        if (k != kb || c.rows() != m || c.cols() != n) {
            throw new IllegalArgumentException("matmul shapes: op(a) " + m + "x" + k + ", op(b) " + kb + "x" + n
                    + ", c " + c.shape());
        }
        checkFloat(a);
        checkFloat(b);
        checkFloat(c);
        return new int[]{m, n, k};
    }

    public static void checkTranspose(Tensor src, Tensor dst) {
        if (dst.rows() != src.cols() || dst.cols() != src.rows()) {
            throw new IllegalArgumentException("transpose " + src.shape() + " into " + dst.shape());
        }
    }

    /** Both hold {@code blocks} matrices of rows × cols, counted exactly, each at least 1. */
    public static void checkTransposeEach(Tensor src, int blocks, int rows, int cols, Tensor dst) {
        long n = (long) blocks * rows * cols;
        if (blocks < 1 || rows < 1 || cols < 1 || src.size() != n || dst.size() != n) {
            throw new IllegalArgumentException("transpose " + blocks + " blocks of " + rows + "x" + cols + " from "
                    + src.shape() + " into " + dst.shape());
        }
    }

    public static void checkLength(Tensor t, int n) {
        if (t.size() != n) {
            throw new IllegalArgumentException("array of " + n + " for tensor " + t.shape());
        }
    }

    public static void checkSame(Tensor a, Tensor b) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            throw new IllegalArgumentException("shapes differ: " + a.shape() + " vs " + b.shape());
        }
    }

    public static void checkSameSize(Tensor a, Tensor b) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException("sizes differ: " + a.size() + " vs " + b.size());
        }
    }

    /** Every tensor the size of the first: a parameter buffer and its gradient and optimizer state. */
    public static void checkSameSize(Tensor first, Tensor... others) {
        for (Tensor t : others) {
            checkSameSize(first, t);
        }
    }

    public static void checkBias(Tensor z, Tensor bias) {
        if (bias.size() != z.cols()) {
            throw new IllegalArgumentException("bias of " + bias.size() + " for " + z.shape());
        }
    }

    public static void checkRowVector(Tensor m, Tensor v) {
        if (v.size() != m.rows()) {
            throw new IllegalArgumentException("vector of " + v.size() + " for " + m.rows() + " rows");
        }
    }

    /** {@code index} must name an element of {@code t}: a single-element write such as a batch's mean. */
    public static void checkIndex(String operation, Tensor t, int index) {
        if (index < 0 || index >= t.size()) {
            throw new IndexOutOfBoundsException(operation + " index " + index + " of " + t.size());
        }
    }

    public static void checkGather(Tensor src, Tensor indices, int start, Tensor dst) {
        if (src.cols() != dst.cols() || src.dtype() != dst.dtype()) {
            throw new IllegalArgumentException("gather " + src + " into " + dst);
        }
        checkInt(indices);
        if (start < 0 || start + dst.rows() > indices.size()) {
            throw new IndexOutOfBoundsException("gather of " + dst.rows() + " rows from index " + start + " of "
                    + indices.size());
        }
    }

    // ---- convolution and pooling: a batch of B images is B rows of C·H·W (see WindowGeometry) ------------

    /**
     * im2col's patches of a batch: x is B × C·H·W, cols is (B·OH·OW) × (C·k·k), one row per window of each
     * image. col2im checks the same pair the other way round.
     */
    public static void checkPatches(Tensor x, WindowGeometry g, Tensor cols) {
        checkImages("image", x, g, g.imageSize());
        checkFloat(cols);
        if ((long) cols.rows() != (long) x.rows() * g.outputPixels() || cols.cols() != g.patchSize()) {
            throw new IllegalArgumentException("patches of " + x.rows() + " images of " + g + ": expected "
                    + (long) x.rows() * g.outputPixels() + "x" + g.patchSize() + ", got " + cols.shape());
        }
    }

    /**
     * A max-pool over a batch: x is B × C·H·W, out B × C·OH·OW, argmax an int tensor of one index per element
     * of out; the geometry must pool ({@link WindowGeometry#checkPooling}). The backward pass checks its dOut,
     * argmax and dx as out, argmax and x.
     */
    public static void checkMaxPool(Tensor x, WindowGeometry g, Tensor out, Tensor argmax) {
        g.checkPooling();
        checkImages("image", x, g, g.imageSize());
        checkImages("pooled image", out, g, g.pooledSize());
        if (out.rows() != x.rows()) {
            throw new IllegalArgumentException("max-pool of " + x.rows() + " images into " + out.rows());
        }
        checkInt(argmax);
        if (argmax.size() != out.size()) {
            throw new IllegalArgumentException("max-pool indices: " + argmax.size() + " for " + out.shape());
        }
    }

    private static void checkImages(String what, Tensor t, WindowGeometry g, int rowSize) {
        checkFloat(t);
        if (t.cols() != rowSize) {
            throw new IllegalArgumentException(what + " rows of " + rowSize + " values expected for " + g + ", got "
                    + t.shape());
        }
    }

    public static void checkInt(Tensor t) {
        if (t.dtype() != Tensor.DType.INT32) {
            throw new IllegalArgumentException("expected an int tensor, got " + t);
        }
    }

    public static void checkFloat(Tensor t) {
        if (t.dtype() != Tensor.DType.FLOAT32) {
            throw new IllegalArgumentException("expected a float tensor, got " + t);
        }
    }
}
