// Max-pool over a batch of NCHW images (B rows of C·H·W), K × K windows with stride S and padding P ≤ K/2
// (so every window holds image pixels and the border never wins); OH × OW windows per channel. The forward
// pass keeps each window's argmax on the device for the backward pass. first_window / last_window come from
// windows.clh, built in front of this file.

// out[b][c][oh][ow] = the window's maximum, idx = where it is in the channel, h·W + w. Ties: the first
// maximum in row-major order wins (a later value must be strictly greater), as in CpuBackend. One
// work-item per output element (row-major). Global size: B·C·OH·OW.
__kernel void maxpool_forward(const int total, const int H, const int W, const int K, const int S, const int P,
                              const int OH, const int OW,
                              const __global float* X, const int offX,
                              __global float* out, const int offO,
                              __global int* idx, const int offI) {
    const int i = get_global_id(0);
    if (i >= total) {
        return;
    }
    // Division and subtraction, not / and % of the same operands (see im2col in conv.cl).
    const int ph = i / OW, ow = i - ph * OW, plane = ph / OH, oh = ph - plane * OH;
    const __global float* x = X + offX + plane * H * W;
    int best = -1;
    float m = 0.0f;
    for (int kh = 0; kh < K; kh++) {
        const int h = oh * S - P + kh;
        if (h < 0 || h >= H) {
            continue;
        }
        for (int kw = 0; kw < K; kw++) {
            const int w = ow * S - P + kw;
            if (w >= 0 && w < W) {
                const float v = x[h * W + w];
                if (best < 0 || v > m) {
                    best = h * W + w;
                    m = v;
                }
            }
        }
    }
    out[offO + i] = m;
    idx[offI + i] = best;
}

// dx[b][c][h][w] = the sum of dOut over the windows whose argmax is this pixel, oh then ow ascending, 0 if
// none chose it. A gather over the windows holding the pixel, one work-item per element of dx (row-major):
// overlapping windows that chose the same pixel add up in a fixed order, with no atomics.
// Global size: B·C·H·W.
__kernel void maxpool_backward(const int total, const int H, const int W, const int K, const int S, const int P,
                               const int OH, const int OW,
                               const __global float* dOut, const int offG,
                               const __global int* idx, const int offI,
                               __global float* dX, const int offD) {
    const int i = get_global_id(0);
    if (i >= total) {
        return;
    }
    const int ph = i / W, w = i - ph * W, plane = ph / H, h = ph - plane * H;
    const int here = h * W + w, windows = plane * OH * OW;
    const int ohLast = last_window(h, S, P, OH), owFirst = first_window(w, K, S, P), owLast = last_window(w, S, P, OW);
    float sum = 0.0f;
    for (int oh = first_window(h, K, S, P); oh <= ohLast; oh++) {
        for (int ow = owFirst; ow <= owLast; ow++) {
            const int at = windows + oh * OW + ow;
            if (idx[offI + at] == here) {
                sum += dOut[offG + at];
            }
        }
    }
    dX[offD + i] = sum;
}
