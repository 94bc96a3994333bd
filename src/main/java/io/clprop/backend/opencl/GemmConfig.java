package io.clprop.backend.opencl;

/**
 * Compile-time block shape of kernels/gemm.cl: each work-item computes {@code rm} rows × {@code vw·nv}
 * columns of C with {@code nv} vectors of width {@code vw} per row. The defaults are the shape measured
 * fastest on PoCL with AVX-512 (4 × 2·float16, see shared/DESIGN.md); a tuner may choose others per device.
 */
public record GemmConfig(int rm, int vw, int nv) {
    public static final GemmConfig DEFAULT = new GemmConfig(4, 16, 2);

    public GemmConfig {
        if (rm < 1 || rm > 8 || nv < 1 || nv > 4 || !(vw == 2 || vw == 4 || vw == 8 || vw == 16)) {
            throw new IllegalArgumentException("bad gemm config rm=" + rm + " vw=" + vw + " nv=" + nv);
        }
    }

    /** Rows of C per work-item. */
    public int rowsPerItem() {
        return rm;
    }

    /** Columns of C per work-item. */
    public int colsPerItem() {
        return vw * nv;
    }

    /** gemm.cl generates at most 8 rows and 4 vectors per work-item; OpenCL C has no float1 vector type. */
    public String buildOptions() {
        return "-DRM=" + rm + " -DVW=" + vw + " -DNV=" + nv;
    }
}
