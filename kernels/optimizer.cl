// Parameter updates. All layers' parameters sit in one buffer and their gradients in another with the
// same layout, so one launch updates the whole network; optimizer state (velocity, Adam's moments) has
// that layout too. Weight decay is L2 added to the gradient (g' = g + wd·p), as torch.optim does for
// SGD and Adam, so wd = 0 gives the plain methods exactly.

// P -= lr · (G + wd·P). Global size: n.
__kernel void sgd_update(const int n,
                         __global float* P, const int offP,
                         const __global float* G, const int offG,
                         const float lr, const float wd) {
    const int i = get_global_id(0);
    if (i < n) {
        const float p = P[offP + i];
        const float g = G[offG + i] + wd * p;
        P[offP + i] = p - lr * g;
    }
}

// Momentum in PyTorch's form: V = mu·V + g'; P -= lr·V, or with Nesterov P -= lr·(g' + mu·V).
// Global size: n.
__kernel void momentum_update(const int n,
                              __global float* P, const int offP,
                              const __global float* G, const int offG,
                              __global float* V, const int offV,
                              const float lr, const float mu, const float wd, const int nesterov) {
    const int i = get_global_id(0);
    if (i < n) {
        const float p = P[offP + i];
        const float g = G[offG + i] + wd * p;
        const float v = mu * V[offV + i] + g;
        V[offV + i] = v;
        P[offP + i] = p - lr * (nesterov ? g + mu * v : v);
    }
}

// Adam with bias correction: M = b1·M + (1−b1)·g', S = b2·S + (1−b2)·g'², then
// P -= lr · (M / c1) / (sqrt(S / c2) + eps), with c1 = 1 − b1^t and c2 = 1 − b2^t for step t computed on
// the host in double (one value per step, so every element and both backends use the same floats).
// Global size: n.
__kernel void adam_update(const int n,
                          __global float* P, const int offP,
                          const __global float* G, const int offG,
                          __global float* M, const int offM,
                          __global float* S, const int offS,
                          const float lr, const float b1, const float b2, const float eps, const float wd,
                          const float c1, const float c2) {
    const int i = get_global_id(0);
    if (i < n) {
        const float p = P[offP + i];
        const float g = G[offG + i] + wd * p;
        const float m = b1 * M[offM + i] + (1.0f - b1) * g;
        const float s = b2 * S[offS + i] + (1.0f - b2) * (g * g);
        M[offM + i] = m;
        S[offS + i] = s;
        P[offP + i] = p - lr * (m / c1) / (sqrt(s / c2) + eps);
    }
}
