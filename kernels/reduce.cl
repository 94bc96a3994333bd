// Reductions: bias gradients (column sums of dZ) and the batch mean of per-row losses.

// db[c] = Σ_r dZ[r][c]. One work-item per column; neighbouring items read neighbouring columns, so a row
// is read contiguously across the work-group. Global size: cols.
__kernel void bias_grad(const int rows, const int cols,
                        const __global float* dZ, const int offDZ,
                        __global float* db, const int offDB) {
    const int c = get_global_id(0);
    if (c < cols) {
        float s = 0.0f;
        for (int r = 0; r < rows; r++) {
            s += dZ[offDZ + r * cols + c];
        }
        db[offDB + c] = s;
    }
}

// dst[index] = mean(src[0..n)). A single work-item in a fixed order: n is a batch (≤ a few thousand), this
// runs once per step, and a fixed order keeps the epoch loss reproducible. Global size: 1.
__kernel void mean_into(const int n,
                        const __global float* src, const int offS,
                        __global float* dst, const int offD, const int index) {
    if (get_global_id(0) == 0) {
        float s = 0.0f;
        for (int i = 0; i < n; i++) {
            s += src[offS + i];
        }
        dst[offD + index] = s / (float) n;
    }
}

// flag[index] = 1 if any of x[0..n) is NaN or ±Inf; otherwise flag is left as it is, so one flag collects
// several checks until the host reads it. Every writer writes the same value, so the unsynchronised
// writes of different work-items cannot disagree. Global size: n.
__kernel void nonfinite_flag(const int n,
                             const __global float* x, const int offX,
                             __global float* flag, const int offF, const int index) {
    const int i = get_global_id(0);
    if (i < n && !isfinite(x[offX + i])) {
        flag[offF + index] = 1.0f;
    }
}

// Y = a·X + b·Y element-wise; b = 0 writes a·X without reading Y (which may hold anything, NaN included).
// The steps of data-parallel training's gradient sum: X may be another device's buffer in the same context.
// Global size: n.
__kernel void axpby(const int n, const float a, const __global float* X, const int offX,
                    const float b, __global float* Y, const int offY) {
    const int i = get_global_id(0);
    if (i < n) {
        const float ax = a * X[offX + i];
        Y[offY + i] = b == 0.0f ? ax : ax + b * Y[offY + i];
    }
}
