// Losses with their gradients; each returns per-row losses, averaged later by mean_into.

// Squared error: rowLoss[r] = ½Σ_c (ŷ−y)², G = (ŷ−y)/B with B = rows. Global size: rows.
__kernel void mse_loss(const int rows, const int cols,
                       const __global float* Y, const int offY,
                       const __global float* T, const int offT,
                       __global float* rowLoss, const int offL,
                       __global float* G, const int offG) {
    const int r = get_global_id(0);
    if (r < rows) {
        const float invB = 1.0f / (float) rows;
        float s = 0.0f;
        for (int c = 0; c < cols; c++) {
            const float d = Y[offY + r * cols + c] - T[offT + r * cols + c];
            s += d * d;
            G[offG + r * cols + c] = d * invB;
        }
        rowLoss[offL + r] = 0.5f * s;
    }
}

// A row's largest logit, and Σ exp(z − m) over it: the overflow-safe pieces both softmax kernels share.
inline float row_max(const __global float* z, const int cols) {
    float m = z[0];
    for (int c = 1; c < cols; c++) {
        m = fmax(m, z[c]);
    }
    return m;
}

inline float sum_exp_shifted(const __global float* z, const int cols, const float m) {
    float sum = 0.0f;
    for (int c = 0; c < cols; c++) {
        sum += exp(z[c] - m);
    }
    return sum;
}

// Fused softmax + cross-entropy on logits Z: rowLoss[r] = logΣexp(z) − z[label],
// G = (softmax(z) − onehot(label))/B. Subtracting the row maximum keeps exp() finite. Global size: rows.
__kernel void softmax_ce(const int rows, const int cols,
                         const __global float* Z, const int offZ,
                         const __global int* labels, const int offLab,
                         __global float* rowLoss, const int offL,
                         __global float* G, const int offG) {
    const int r = get_global_id(0);
    if (r < rows) {
        const __global float* z = Z + offZ + r * cols;
        const int label = labels[offLab + r];
        const float m = row_max(z, cols);
        const float logSum = m + log(sum_exp_shifted(z, cols, m));
        rowLoss[offL + r] = logSum - z[label];
        const float invB = 1.0f / (float) rows;
        for (int c = 0; c < cols; c++) {
            const float p = exp(z[c] - logSum);
            G[offG + r * cols + c] = (p - (c == label ? 1.0f : 0.0f)) * invB;
        }
    }
}

// Class probabilities for prediction: P[r] = softmax(Z[r]) = exp(z − max) / Σ exp(z − max). Dividing by the
// sum (rather than exp(z − logΣ) as softmax_ce does) avoids the cancellation in z − logΣ, so each
// probability is accurate relative to itself and a row sums to 1 within C roundings. Global size: rows.
__kernel void softmax_rows(const int rows, const int cols,
                           const __global float* Z, const int offZ,
                           __global float* P, const int offP) {
    const int r = get_global_id(0);
    if (r < rows) {
        const __global float* z = Z + offZ + r * cols;
        __global float* p = P + offP + r * cols;
        const float m = row_max(z, cols);
        const float sum = sum_exp_shifted(z, cols, m);
        for (int c = 0; c < cols; c++) {
            p[c] = exp(z[c] - m) / sum;
        }
    }
}
