// Data movement on the device: batches are gathered from the data set uploaded once, and predictions are
// taken there, so a training step moves nothing between host and device.

// dst[r] = src[idx[r]] row by row, copied as 32-bit words so it serves float features and int labels.
// Each work-item copies 16 words of one row with one vector load and store (the tail of a row word by
// word). Global size: (ceil(cols / 16), rows).
__kernel void gather_rows(const int rows, const int cols,
                          const __global uint* src, const int offS,
                          const __global int* idx, const int offIdx,
                          __global uint* dst, const int offD) {
    const int c0 = get_global_id(0) * 16;
    const int r = get_global_id(1);
    if (r >= rows || c0 >= cols) {
        return;
    }
    const __global uint* s = src + offS + idx[offIdx + r] * cols + c0;
    __global uint* d = dst + offD + r * cols + c0;
    if (c0 + 16 <= cols) {
        vstore16(vload16(0, s), 0, d);
    } else {
        for (int c = 0; c < cols - c0; c++) {
            d[c] = s[c];
        }
    }
}

// out[r] = index of the first maximum of row r. Global size: rows.
__kernel void argmax_rows(const int rows, const int cols,
                          const __global float* X, const int offX,
                          __global int* out, const int offO) {
    const int r = get_global_id(0);
    if (r < rows) {
        const __global float* x = X + offX + r * cols;
        int best = 0;
        for (int c = 1; c < cols; c++) {
            if (x[c] > x[best]) {
                best = c;
            }
        }
        out[offO + r] = best;
    }
}
