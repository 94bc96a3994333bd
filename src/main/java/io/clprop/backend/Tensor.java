package io.clprop.backend;

/**
 * A row-major matrix view into a backend-owned buffer: {@code rows × cols} elements starting at
 * {@code offset} (in elements). Views never own memory; the backend that allocated the buffer frees it.
 * Parameters of a whole network live in one buffer and each layer's weights are views at offsets into it,
 * as in llm.c.
 */
public final class Tensor {
    public enum DType { FLOAT32, INT32 }

    private final Object buffer;
    private final DType dtype;
    private final int offset;
    private final int rows;
    private final int cols;

    public Tensor(Object buffer, DType dtype, int offset, int rows, int cols) {
        if (rows < 0 || cols < 0 || offset < 0) {
            throw new IllegalArgumentException("bad tensor shape " + rows + "x" + cols + " at " + offset);
        }
        this.buffer = buffer;
        this.dtype = dtype;
        this.offset = offset;
        this.rows = rows;
        this.cols = cols;
    }

    /** The backend's own handle (a double[]/int[] on the CPU, a device buffer for OpenCL). */
    public Object buffer() { return buffer; }
    public DType dtype() { return dtype; }
    public int offset() { return offset; }
    public int rows() { return rows; }
    public int cols() { return cols; }
    public int size() { return rows * cols; }

    /** The first {@code n} rows: batches smaller than the buffer's capacity use this. */
    public Tensor firstRows(int n) {
        return rowRange(0, n);
    }

    /** Rows {@code [start, start + n)}. */
    public Tensor rowRange(int start, int n) {
        if (start < 0 || n < 0 || start + n > rows) {
            throw new IndexOutOfBoundsException("rows " + start + "+" + n + " of " + rows);
        }
        return new Tensor(buffer, dtype, offset + start * cols, n, cols);
    }

    /** A {@code rows × cols} view starting {@code elementOffset} elements into this one. */
    public Tensor view(int elementOffset, int rows, int cols) {
        if (elementOffset < 0 || elementOffset + rows * cols > size()) {
            throw new IndexOutOfBoundsException("view " + rows + "x" + cols + " at " + elementOffset
                    + " of " + this.rows + "x" + this.cols);
        }
        return new Tensor(buffer, dtype, offset + elementOffset, rows, cols);
    }

    /** The same elements seen as another shape (row-major order unchanged). */
    public Tensor reshape(int rows, int cols) {
        if (rows * cols != size()) {
            throw new IllegalArgumentException("cannot reshape " + shape() + " to " + rows + "x" + cols);
        }
        return new Tensor(buffer, dtype, offset, rows, cols);
    }

    public String shape() {
        return rows + "x" + cols;
    }

    @Override
    public String toString() {
        return "Tensor[" + dtype + " " + shape() + " @" + offset + "]";
    }
}
