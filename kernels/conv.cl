// Convolution by im2col: the windows of a batch of NCHW images as the rows of a matrix, so that the
// convolution is the dense layer's products over those rows (see io.clprop.backend.Backend#im2col), and
// col2im, its adjoint, for the gradient of the images. A batch is B rows of C·H·W; a window is K × K with
// stride S and zero padding P; OH × OW windows per channel. first_window / last_window come from
// windows.clh, built in front of this file.

// cols[(b·OH + oh)·OW + ow][(c·K + kh)·K + kw] = x[b][c][oh·S − P + kh][ow·S − P + kw], 0 in the padding.
// One work-item per element of cols, in its row-major order. Global size: B·OH·OW·C·K·K.
__kernel void im2col(const int total, const int C, const int H, const int W, const int K, const int S,
                     const int P, const int OH, const int OW,
                     const __global float* X, const int offX,
                     __global float* cols, const int offC) {
    const int i = get_global_id(0);
    if (i >= total) {
        return;
    }
    // Indices by division and subtraction, never / and % of the same operands: LLVM rewrites such a pair
    // with a `freeze`, which Oclgrind 21.10's uninitialised-value check cannot run (bin/sanitize).
    const int patch = C * K * K;
    const int row = i / patch, col = i - row * patch;
    const int c = col / (K * K), kk = col - c * (K * K), kh = kk / K, kw = kk - kh * K;
    const int bh = row / OW, ow = row - bh * OW, b = bh / OH, oh = bh - b * OH;
    const int h = oh * S - P + kh, w = ow * S - P + kw;
    float v = 0.0f;
    if (h >= 0 && h < H && w >= 0 && w < W) {
        v = X[offX + ((b * C + c) * H + h) * W + w];
    }
    cols[offC + i] = v;
}

// dx[b][c][h][w] = the sum of every element of cols that im2col copied from there: over the windows
// (oh, ow) holding the pixel, oh then ow ascending. A gather, one work-item per element of dx (row-major):
// each sum is one item's, in a fixed order, with no atomics. Global size: B·C·H·W.
__kernel void col2im(const int total, const int C, const int H, const int W, const int K, const int S,
                     const int P, const int OH, const int OW,
                     const __global float* cols, const int offC,
                     __global float* dX, const int offD) {
    const int i = get_global_id(0);
    if (i >= total) {
        return;
    }
    const int bch = i / W, w = i - bch * W, bc = bch / H, h = bch - bc * H, b = bc / C, c = bc - b * C;
    const int patch = C * K * K;
    const int ohLast = last_window(h, S, P, OH), owFirst = first_window(w, K, S, P), owLast = last_window(w, S, P, OW);
    float sum = 0.0f;
    for (int oh = first_window(h, K, S, P); oh <= ohLast; oh++) {
        const int kh = h + P - oh * S;
        for (int ow = owFirst; ow <= owLast; ow++) {
            const int kw = w + P - ow * S;
            sum += cols[offC + ((b * OH + oh) * OW + ow) * patch + (c * K + kh) * K + kw];
        }
    }
    dX[offD + i] = sum;
}

// dst[b][c][r] = src[b][r][c] for blocks of rows × cols one after another: a convolution's product rows
// (b·OH·OW + p) × C_out into its images' NCHW layout, and back. One work-item per element of dst, in its
// order, so the writes are contiguous and the reads stride by cols. Global size: blocks·rows·cols.
__kernel void transpose_each(const int total, const int rows, const int cols,
                             const __global float* src, const int offS,
                             __global float* dst, const int offD) {
    const int i = get_global_id(0);
    if (i >= total) {
        return;
    }
    const int block = rows * cols;
    const int b = i / block, e = i - b * block;
    const int c = e / rows, r = e - c * rows;
    dst[offD + i] = src[offS + b * block + r * cols + c];
}
