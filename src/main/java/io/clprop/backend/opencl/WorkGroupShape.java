package io.clprop.backend.opencl;

/**
 * The work-group shape of every launch that does not need one of its own (all but the tiled products):
 * one fixed shape per number of dimensions, the global size rounded up to whole groups.
 *
 * <p>Why fixed: PoCL compiles a work-group function for each distinct local size a kernel is launched
 * with. (A 1-D kernel gets two shapes, one for launches of more than {@link #LARGE_1D} items.) With a
 * NULL local size the driver picks a divisor of each global size, so one kernel launched on
 * the reference MLP's three layers compiled up to six times (26 compilations in the first step, 5.2 s
 * of a cold start of 9 s); with one shape per kernel each compiles once, or twice for a 2-D kernel that
 * also runs grids that fit in one group of 8 × 8 (the weight gradient of the reference MLP's 10-wide
 * output layer, a 4 × 3 grid). Those keep the driver's choice: padded to one 8 × 8 group, or cut into
 * groups of one item, that product (10 × 128 × 128) ran at 8–11 GFLOP/s on PoCL, against 14–22 in the
 * driver's shape. (A threshold of 4 groups also caught the last, partial batch's 3 × 24 grids: 4 more
 * compilations in a cold start, for no measured gain.) Every kernel that goes through
 * here bounds-checks its indices in the dimensions that are rounded up; the third dimension (the
 * slices of a split product, which indexes without a check) is never rounded.
 *
 * <p>The shape is capped by what the built kernel allows (CL_KERNEL_WORK_GROUP_SIZE, which register use
 * can lower on a GPU): a kernel allowed fewer items gets a NULL local size, the driver's choice.
 */
record WorkGroupShape(long[] global, long[] local) {
    /** Items per work-group in one dimension (the reference MLP's sizes were measured with 64; see BENCHMARKS.md). */
    static final int ITEMS_1D = 64;
    /**
     * Items per group of a 1-D launch of more than {@link #LARGE_1D} items (the optimizer's update over all
     * parameters, the divergence check): in groups of 64, PoCL took 160–179 µs a launch for the reference
     * MLP's sgd_update over 235,146 parameters, in groups of 256 130–133, of 1,024 121, of 4,096 155–157
     * (and 112–118 µs in the driver's own shape before shapes were fixed).
     */
    static final int ITEMS_1D_LARGE = 1024;
    static final int LARGE_1D = 1 << 14;
    /** Columns × rows of a 2-D group (or of the first two dimensions of a 3-D one). */
    static final int COLS_2D = 8;
    static final int ROWS_2D = 8;
    /** Below this many 8 × 8 groups (so: within one) a 2-D grid runs in the driver's work-group shape. */
    static final int MIN_GROUPS = 2;

    /**
     * The launch of {@code global} items for a kernel allowed at most {@code kernelMaxItems} per
     * work-group.
     */
    static WorkGroupShape of(long[] global, long kernelMaxItems) {
        long[] local = switch (global.length) {
            case 1 -> new long[]{global[0] > LARGE_1D ? ITEMS_1D_LARGE : ITEMS_1D};
            case 2 -> new long[]{COLS_2D, ROWS_2D};
            case 3 -> new long[]{COLS_2D, ROWS_2D, 1};
            default -> throw new IllegalArgumentException(global.length + " dimensions");
        };
        long items = 1;
        for (long l : local) {
            items *= l;
        }
        if (items > kernelMaxItems) {
            // Round 1-D launches up all the same: a global size like 235146 = 2·3·39191 would make the
            // driver run thousands of tiny groups (on PoCL sgd_update took 300 µs instead of 36).
            return new WorkGroupShape(global.length == 1 ? new long[]{roundUp(global[0], ITEMS_1D)} : global.clone(),
                    null);
        }
        if (global.length == 1) {
            return new WorkGroupShape(new long[]{roundUp(global[0], local[0])}, local);
        }
        if (ceilDiv(global[0], COLS_2D) * ceilDiv(global[1], ROWS_2D) < MIN_GROUPS) {
            return new WorkGroupShape(global.clone(), null);
        }
        long[] padded = global.clone();
        for (int d = 0; d < Math.min(2, global.length); d++) {
            padded[d] = roundUp(global[d], local[d]);
        }
        return new WorkGroupShape(padded, local);
    }

    private static long ceilDiv(long n, long d) {
        return (n + d - 1) / d;
    }

    private static long roundUp(long n, long multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }
}
