// Convolution by im2col: the windows of a batch of NCHW images as the rows of a matrix, so that the
// convolution is the dense layer's products over those rows (see io.clprop.backend.Backend#im2col), and
// col2im, its adjoint, for the gradient of the images. A batch is B rows of C·H·W; a window is K × K with
// stride S and zero padding P; OH × OW windows per channel. first_window / last_window come from
// windows.clh, built in front of this file.
//
// Each work-item writes a run of contiguous outputs (a row of cols, a row of an image) with loops inside:
// the index arithmetic (integer divisions, which no CPU vectorises and which cost tens of cycles) is paid
// once per row rather than once per element, which made these kernels several times faster on PoCL.
// Indices come by division and subtraction, never / and % of the same operands: LLVM rewrites such a pair
// with a `freeze`, which Oclgrind 21.10's uninitialised-value check cannot run (bin/sanitize).

// cols[(b·OH + oh)·OW + ow][(c·K + kh)·K + kw] = x[b][c][oh·S − P + kh][ow·S − P + kw], 0 in the padding.
// One work-item per row of cols (one window of one image). Global size: B·OH·OW.
__kernel void im2col(const int rows, const int C, const int H, const int W, const int K, const int S,
                     const int P, const int OH, const int OW,
                     const __global float* X, const int offX,
                     __global float* cols, const int offC) {
    const int r = get_global_id(0);
    if (r >= rows) {
        return;
    }
    const int bh = r / OW, ow = r - bh * OW, b = bh / OH, oh = bh - b * OH;
    const int h0 = oh * S - P, w0 = ow * S - P;
    const __global float* img = X + offX + b * C * H * W;
    __global float* out = cols + offC + r * (C * K * K);
    if (K == 3 && h0 >= 0 && w0 >= 0 && h0 + 3 <= H && w0 + 3 <= W) {
        // A 3 × 3 window inside the image (most of them): its nine loads per channel written out, without
        // the bounds tests. The driver runs this kernel lane by lane, so the tests and the loops around
        // them were most of its time (about twice as fast on PoCL for the reference CNN's convolutions).
        const __global float* p = img + h0 * W + w0;
        for (int c = 0; c < C; c++) {
            out[0] = p[0];
            out[1] = p[1];
            out[2] = p[2];
            out[3] = p[W];
            out[4] = p[W + 1];
            out[5] = p[W + 2];
            out[6] = p[2 * W];
            out[7] = p[2 * W + 1];
            out[8] = p[2 * W + 2];
            out += 9;
            p += H * W;
        }
        return;
    }
    for (int c = 0; c < C; c++) {
        for (int kh = 0; kh < K; kh++) {
            const int h = h0 + kh;
            const bool inRow = h >= 0 && h < H;
            for (int kw = 0; kw < K; kw++) {
                const int w = w0 + kw;
                float v = 0.0f;
                if (inRow && w >= 0 && w < W) {
                    v = img[(c * H + h) * W + w];
                }
                *out++ = v;
            }
        }
    }
}

// dx[b][c][h][w] = the sum of every element of cols that im2col copied from there: over the windows
// (oh, ow) holding the pixel, oh then ow ascending. A gather: each sum is one work-item's, in a fixed
// order, with no atomics. One work-item per image row (b, c, h), its W pixels in turn, c varying fastest:
// the work-items the driver runs side by side then read neighbouring columns of the same rows of cols
// (c·K² apart) rather than rows far apart, which halved this kernel's time on PoCL for the reference CNN's
// second convolution. Global size: B·C·H.
__kernel void col2im(const int rows, const int C, const int H, const int W, const int K, const int S,
                     const int P, const int OH, const int OW,
                     const __global float* cols, const int offC,
                     __global float* dX, const int offD) {
    const int r = get_global_id(0);
    if (r >= rows) {
        return;
    }
    const int bh = r / C, c = r - bh * C, b = bh / H, h = bh - b * H;
    const int patch = C * K * K;
    const int ohFirst = first_window(h, K, S, P), ohLast = last_window(h, S, P, OH);
    const __global float* image = cols + offC + b * OH * OW * patch + c * K * K;
    __global float* out = dX + offD + ((b * C + c) * H + h) * W;
    // The windows across that hold pixel w start at owFirst, which only moves right as w does: found by
    // stepping, not dividing, as is their end (the last window starting at or before w).
    int owFirst = 0;
    for (int w = 0; w < W; w++) {
        while (owFirst < OW && owFirst * S - P + K - 1 < w) {
            owFirst++;
        }
        float sum = 0.0f;
        for (int oh = ohFirst; oh <= ohLast; oh++) {
            const int kh = h + P - oh * S;
            for (int ow = owFirst; ow < OW && ow * S - P <= w; ow++) {
                const int kw = w + P - ow * S;
                sum += image[(oh * OW + ow) * patch + kh * K + kw];
            }
        }
        out[w] = sum;
    }
}

// dst[b][c][r] = src[b][r][c] for blocks of rows × cols one after another: a convolution's product rows
// (b·OH·OW + p) × C_out into its images' NCHW layout, and back. One work-item per row of dst (b, c),
// written contiguously, read with a stride of cols. Global size: blocks·cols.
__kernel void transpose_each(const int n, const int rows, const int cols,
                             const __global float* src, const int offS,
                             __global float* dst, const int offD) {
    const int i = get_global_id(0);
    if (i >= n) {
        return;
    }
    const int b = i / cols, c = i - b * cols;
    const __global float* in = src + offS + b * rows * cols + c;
    __global float* out = dst + offD + i * rows;
    for (int r = 0; r < rows; r++) {
        out[r] = in[r * cols];
    }
}
