package io.clprop.backend;

/**
 * Which units inverted dropout keeps in one training step, as a function rather than stored bits: unit
 * {@code index} (row-major within the batch, {@code r·cols + c}) of hidden layer {@code layer} is kept when
 * {@code hash(seed, step, layer, index) < threshold} (unsigned), and a kept unit is scaled by {@code scale}.
 * The kernels in {@code kernels/dropout.cl} compute the same hash with the same 32-bit integer operations, so
 * the device and the CPU path draw the identical mask without transferring it, and the backward pass
 * recomputes it instead of keeping a mask buffer.
 *
 * <p>The hash is built from Chris Wellons' "lowbias32" integer mixer (two xor-multiply rounds between three
 * xor-shifts, a bijection of the 32-bit words with near-ideal avalanche):
 * <pre>
 * key  = lowbias32(lowbias32(lowbias32(seed ^ 0x9E3779B9) ^ step) ^ layer)     once per launch
 * hash = lowbias32(lowbias32(index) ^ key)                                     per element
 * </pre>
 * For a fixed key it is a bijection of the index, and the key enters after the index has been mixed, so
 * masks of different steps, layers or seeds are unrelated rather than shifted copies of each other.
 *
 * @param seed      the run's seed folded to 32 bits ({@link Dropout#seed32})
 * @param step      the training step's number, its low 32 bits (masks would repeat after 2³² steps)
 * @param threshold the unsigned 32-bit threshold round((1−P)·2³²), at most 2³²−1
 * @param scale     1/(1−P) as a float, the inverted-dropout factor of kept units
 * @param firstRow  the batch row that the first row of the tensor it is applied to is: a device that trains
 *                  on rows r₀… of a batch split across devices draws for its row r the mask of batch row
 *                  r₀ + r (index {@code (r₀ + r)·cols + c}), so the split batch is dropped as the whole one is
 */
public record DropoutMask(int seed, int step, int threshold, float scale, int firstRow) {

    public DropoutMask {
        if (firstRow < 0) {
            throw new IllegalArgumentException("firstRow " + firstRow + " < 0");
        }
    }

    /** The mask of a whole batch (its first row is the batch's first). */
    public DropoutMask(int seed, int step, int threshold, float scale) {
        this(seed, step, threshold, scale, 0);
    }

    /** The same step's mask for a share of the batch that starts at batch row {@code row}. */
    public DropoutMask fromRow(int row) {
        return new DropoutMask(seed, step, threshold, scale, row);
    }

    /** The index the hash takes for element {@code i} (row-major) of a tensor of {@code cols} columns. */
    public int indexOf(int i, int cols) {
        return firstRow * cols + i;
    }

    /** The golden-ratio constant, so that seed 0 does not start the chain at lowbias32's fixed point 0. */
    static final int SEED_OFFSET = 0x9E3779B9;

    /** lowbias32 (Wellons, "Prospecting for hash functions", 2018): unsigned 32-bit arithmetic, as in OpenCL C. */
    public static int lowbias32(int x) {
        x ^= x >>> 16;
        x *= 0x7feb352d;
        x ^= x >>> 15;
        x *= 0x846ca68b;
        x ^= x >>> 16;
        return x;
    }

    /** The per-launch part of the hash: seed, step and layer. */
    public int key(int layer) {
        return lowbias32(lowbias32(lowbias32(seed ^ SEED_OFFSET) ^ step) ^ layer);
    }

    /** The element's 32-bit hash under {@code key} (see the class comment). */
    public static int hash(int key, int index) {
        return lowbias32(lowbias32(index) ^ key);
    }

    /** Whether element {@code index} of hidden layer {@code layer} is kept in this step. */
    public boolean keep(int layer, int index) {
        return keepUnderKey(key(layer), index);
    }

    /** {@link #keep} with the layer's {@link #key} computed once by the caller, for a loop over a layer. */
    public boolean keepUnderKey(int key, int index) {
        return Integer.compareUnsigned(hash(key, index), threshold) < 0;
    }
}
