// Max-pool over a batch of NCHW images (B rows of C·H·W), K × K windows with stride S and padding P ≤ K/2
// (so every window holds image pixels and the border never wins); OH × OW windows per channel. The forward
// pass keeps each window's argmax on the device for the backward pass. first_window / last_window come from
// windows.clh, built in front of this file.

// The backward kernels also apply the previous layer's activation derivative f′(A) (f an ACT_ code of
// activation_functions.clh, built in front of this file with windows.clh; A that layer's output, not read for
// the identity): the product activation_backward would form, without its second pass over the image.

// Each work-item handles a row (of the output forward, of the image backward), its index divisions once
// per row (see conv.cl). Division and subtraction, not / and % of the same operands (see conv.cl).

// out[b][c][oh][ow] = the window's maximum, idx = where it is in the channel, h·W + w. Ties: the first
// maximum in row-major order wins (a later value must be strictly greater), as in CpuBackend. One
// work-item per output row (b, c, oh), its OW windows in turn. Global size: B·C·OH.
__kernel void maxpool_forward(const int rows, const int H, const int W, const int K, const int S, const int P,
                              const int OH, const int OW,
                              const __global float* X, const int offX,
                              __global float* out, const int offO,
                              __global int* idx, const int offI) {
    const int r = get_global_id(0);
    if (r >= rows) {
        return;
    }
    const int plane = r / OH, oh = r - plane * OH;
    const __global float* x = X + offX + plane * H * W;
    for (int ow = 0; ow < OW; ow++) {
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
        out[offO + r * OW + ow] = m;
        idx[offI + r * OW + ow] = best;
    }
}

// maxpool_forward for 2 × 2 windows with stride 2 and no padding, the common pool: the same maxima, indices
// and ties (each later pixel of a window, row-major, must be strictly greater), from vector loads of the two
// image rows (8, then 4 windows at a time: the even and odd columns are a window's left and right) and no
// bounds checks, since every window lies inside the image. The driver's own vectorisation of
// maxpool_forward runs its per-pixel branches lane by lane; here the lanes are explicit, about 3–6 times
// faster on PoCL for the reference CNN's pools. One work-item per output row (b, c, oh). Global size:
// B·C·OH.
__kernel void maxpool_forward_2x2(const int rows, const int H, const int W, const int OH, const int OW,
                                  const __global float* X, const int offX,
                                  __global float* out, const int offO,
                                  __global int* idx, const int offI) {
    const int r = get_global_id(0);
    if (r >= rows) {
        return;
    }
    const int plane = r / OH, oh = r - plane * OH;
    const int top = 2 * oh * W;   // the window row's first pixel in its channel
    const __global float* x = X + offX + plane * H * W + top;
    __global float* o = out + offO + r * OW;
    __global int* at = idx + offI + r * OW;
    int ow = 0;
    // N windows at a time from vector loads of 2N pixels of each row; a window's left and right columns
    // picked out by shuffle() (not the .even/.odd swizzles, which Oclgrind 21.10's uninitialised-value
    // check reads as uninitialised, bin/sanitize). The four pixels in row-major order, each later one
    // taking the window only if strictly greater.
#define MAXPOOL_2X2_VECTORS(N, N2, EVEN)                                                             \
    for (; ow + N <= OW; ow += N) {                                                                  \
        const float##N2 up = vload##N2(0, x + 2 * ow), down = vload##N2(0, x + W + 2 * ow);        \
        const uint##N even = EVEN;                                                                   \
        const float##N upRight = shuffle(up, even + 1), downLeft = shuffle(down, even);            \
        const float##N downRight = shuffle(down, even + 1);                                          \
        const int##N left = convert_int##N(even) + (top + 2 * ow);                                   \
        float##N m = shuffle(up, even);                                                              \
        int##N best = left;                                                                          \
        int##N c = upRight > m;                                                                      \
        m = select(m, upRight, c);                                                                   \
        best = select(best, left + 1, c);                                                            \
        c = downLeft > m;                                                                            \
        m = select(m, downLeft, c);                                                                  \
        best = select(best, left + W, c);                                                            \
        c = downRight > m;                                                                           \
        m = select(m, downRight, c);                                                                 \
        best = select(best, left + W + 1, c);                                                        \
        vstore##N(m, 0, o + ow);                                                                     \
        vstore##N(best, 0, at + ow);                                                                 \
    }
    MAXPOOL_2X2_VECTORS(8, 16, ((uint8)(0, 2, 4, 6, 8, 10, 12, 14)))
    MAXPOOL_2X2_VECTORS(4, 8, ((uint4)(0, 2, 4, 6)))
#undef MAXPOOL_2X2_VECTORS
    for (; ow < OW; ow++) {
        const int w = 2 * ow;
        float m = x[w];
        int best = top + w;
        if (x[w + 1] > m) {
            m = x[w + 1];
            best = top + w + 1;
        }
        if (x[W + w] > m) {
            m = x[W + w];
            best = top + W + w;
        }
        if (x[W + w + 1] > m) {
            m = x[W + w + 1];
            best = top + W + w + 1;
        }
        o[ow] = m;
        at[ow] = best;
    }
}

// dx[b][c][h][w] = the sum of dOut over the windows whose argmax is this pixel, oh then ow ascending, 0 if
// none chose it, times f′(A[b][c][h][w]). A gather over the windows holding the pixel: overlapping windows that chose the same pixel
// add up in a fixed order, with no atomics. One work-item per image row (b, c, h), its W pixels in turn.
// Global size: B·C·H.
__kernel void maxpool_backward(const int rows, const int H, const int W, const int K, const int S, const int P,
                               const int OH, const int OW, const int f,
                               const __global float* dOut, const int offG,
                               const __global int* idx, const int offI,
                               const __global float* A, const int offA,
                               __global float* dX, const int offD) {
    const int r = get_global_id(0);
    if (r >= rows) {
        return;
    }
    const int plane = r / H, h = r - plane * H;
    const int windows = plane * OH * OW;
    const int ohFirst = first_window(h, K, S, P), ohLast = last_window(h, S, P, OH);
    // As in col2im (conv.cl): the first window across holding pixel w found by stepping, not dividing.
    int owFirst = 0;
    for (int w = 0; w < W; w++) {
        const int here = h * W + w;
        while (owFirst < OW && owFirst * S - P + K - 1 < w) {
            owFirst++;
        }
        float sum = 0.0f;
        for (int oh = ohFirst; oh <= ohLast; oh++) {
            for (int ow = owFirst; ow < OW && ow * S - P <= w; ow++) {
                const int at = windows + oh * OW + ow;
                if (idx[offI + at] == here) {
                    sum += dOut[offG + at];
                }
            }
        }
        dX[offD + r * W + w] = f == ACT_IDENTITY ? sum : sum * act_derivative_float(f, A[offA + r * W + w]);
    }
}

// maxpool_backward for windows that do not overlap and have no padding (S ≥ K, P = 0): each pixel lies in
// at most one window, so no sum is needed and each window writes its own pixels, its gradient at its argmax
// and 0 elsewhere, without searching for the windows that hold a pixel. Window (oh, ow) owns rows
// [oh·S, oh·S + S) and columns [ow·S, ow·S + S), the last one down (across) also the rows (columns) left over
// past the windows, so every pixel is written once. One work-item per image row (b, c, h). Global size:
// B·C·H. The same result as maxpool_backward, which the cross-check compares with the CPU twin.
__kernel void maxpool_backward_disjoint(const int rows, const int H, const int W, const int S,
                                        const int OH, const int OW, const int f,
                                        const __global float* dOut, const int offG,
                                        const __global int* idx, const int offI,
                                        const __global float* A, const int offA,
                                        __global float* dX, const int offD) {
    const int r = get_global_id(0);
    if (r >= rows) {
        return;
    }
    const int plane = r / H, h = r - plane * H;
    __global float* out = dX + offD + r * W;
    const int oh = min(h / S, OH - 1);
    const int window = plane * OH * OW + oh * OW;
    int w = 0;
    for (int ow = 0; ow < OW; ow++) {
        const int chosen = idx[offI + window + ow] - h * W;   // the argmax's column, if it is on this row
        const int end = ow == OW - 1 ? W : w + S;
        float g = dOut[offG + window + ow];
        if (f != ACT_IDENTITY && chosen >= w && chosen < end) {
            g *= act_derivative_float(f, A[offA + r * W + chosen]);
        }
        for (; w < end; w++) {
            out[w] = w == chosen ? g : 0.0f;
        }
    }
}

// maxpool_backward_disjoint for 2 × 2 windows with stride 2 and no padding (see maxpool_forward_2x2): each
// window's gradient to its argmax's column on this row, 0 in the other, 8 and then 4 windows at a time, with
// f′ taken from a vector load of the previous layer's row; the rows and columns past the last window (odd
// sizes) get 0, as in maxpool_backward_disjoint. One work-item per image row (b, c, h). Global size: B·C·H.
__kernel void maxpool_backward_2x2(const int rows, const int H, const int W, const int OH, const int OW,
                                   const int f,
                                   const __global float* dOut, const int offG,
                                   const __global int* idx, const int offI,
                                   const __global float* A, const int offA,
                                   __global float* dX, const int offD) {
    const int r = get_global_id(0);
    if (r >= rows) {
        return;
    }
    const int plane = r / H, h = r - plane * H;
    __global float* out = dX + offD + r * W;
    const __global float* a = A + offA + r * W;
    const int oh = min(h / 2, OH - 1);
    const __global float* g = dOut + offG + plane * OH * OW + oh * OW;
    const __global int* chosen = idx + offI + plane * OH * OW + oh * OW;
    const int row = h * W;   // this row's first pixel in its channel
    int ow = 0;
    // N windows at a time: each window's gradient twice over (TWICE: its two columns), kept in the lane
    // of the column its argmax is in (SIDE: which column each lane is), times f′ of a vector of the row.
#define MAXPOOL_2X2_BACKWARD_VECTORS(N, N2, TWICE, SIDE, LEFT)                                      \
    for (; ow + N <= OW; ow += N) {                                                                  \
        const int##N column = vload##N(0, chosen + ow) - (LEFT + (row + 2 * ow)); /* 0, 1: here */  \
        float##N2 grad = shuffle(vload##N(0, g + ow), TWICE);                                       \
        if (f != ACT_IDENTITY) {                                                                     \
            grad *= act_derivative_float##N2(f, vload##N2(0, a + 2 * ow));                           \
        }                                                                                            \
        vstore##N2(select((float##N2)(0.0f), grad, shuffle(column, TWICE) == SIDE), 0, out + 2 * ow); \
    }
    MAXPOOL_2X2_BACKWARD_VECTORS(8, 16, ((uint16)(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7)),
                                 ((int16)(0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1)),
                                 ((int8)(0, 2, 4, 6, 8, 10, 12, 14)))
    MAXPOOL_2X2_BACKWARD_VECTORS(4, 8, ((uint8)(0, 0, 1, 1, 2, 2, 3, 3)), ((int8)(0, 1, 0, 1, 0, 1, 0, 1)),
                                 ((int4)(0, 2, 4, 6)))
#undef MAXPOOL_2X2_BACKWARD_VECTORS
    for (; ow < OW; ow++) {
        const int w = 2 * ow, column = chosen[ow] - (row + w);
        float grad = g[ow];
        if (f != ACT_IDENTITY && (column == 0 || column == 1)) {
            grad *= act_derivative_float(f, a[w + column]);
        }
        out[w] = column == 0 ? grad : 0.0f;
        out[w + 1] = column == 1 ? grad : 0.0f;
    }
    if (2 * OW < W) {
        out[W - 1] = 0.0f;   // the column past the last window (W odd)
    }
}
