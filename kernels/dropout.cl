// Inverted dropout of a hidden layer's output, with the mask drawn from a counter-based hash instead of a
// stored buffer: element i (row-major in the batch) of hidden layer `layer` in training step `step` is kept
// when hash(seed, step, layer, i) < threshold, as unsigned 32-bit integers, and then scaled by
// scale = 1/(1−P). Integer arithmetic only, so io.clprop.nn.DropoutMask (the CPU path) draws the same mask
// bit for bit; the backward pass recomputes it. threshold = round((1−P)·2³²) is computed on the host.
//
// The hash: Chris Wellons' lowbias32 mixer, key = lowbias32(lowbias32(lowbias32(seed ^ 0x9E3779B9) ^ step)
// ^ layer) per launch, hash = lowbias32(lowbias32(i) ^ key) per element.

inline uint lowbias32(uint x) {
    x ^= x >> 16;
    x *= 0x7feb352du;
    x ^= x >> 15;
    x *= 0x846ca68bu;
    x ^= x >> 16;
    return x;
}

inline uint dropout_key(const uint seed, const uint step, const uint layer) {
    return lowbias32(lowbias32(lowbias32(seed ^ 0x9E3779B9u) ^ step) ^ layer);
}

inline bool dropout_keep(const uint key, const uint i, const uint threshold) {
    return lowbias32(lowbias32(i) ^ key) < threshold;
}

// out = in ⊙ m·scale for element i, whose index in the batch is first + i (first = r₀·cols for a device's
// share of a batch split across devices that starts at batch row r₀, else 0): the forward (in = A, out = Ã) and the backward (in = dLoss/dÃ,
// out = dLoss/dA) are the same function of the same mask.
inline void dropout_scale(const int n, const uint seed, const uint step, const uint layer, const uint threshold,
                          const float scale, const uint first, const __global float* in, __global float* out) {
    const int i = get_global_id(0);
    if (i < n) {
        const uint key = dropout_key(seed, step, layer);
        out[i] = dropout_keep(key, first + (uint) i, threshold) ? in[i] * scale : 0.0f;
    }
}

// O = A ⊙ m·scale (forward): the dropped activation the next layer reads. O may alias A. Global size: n.
__kernel void dropout_forward(const int n, const uint seed, const uint step, const uint layer,
                              const uint threshold, const float scale, const uint first,
                              const __global float* A, const int offA,
                              __global float* O, const int offO) {
    dropout_scale(n, seed, step, layer, threshold, scale, first, A + offA, O + offO);
}

// dA = dO ⊙ m·scale (backward, the same mask recomputed). dA may alias dO. Global size: n.
__kernel void dropout_backward(const int n, const uint seed, const uint step, const uint layer,
                               const uint threshold, const float scale, const uint first,
                               const __global float* dO, const int offDO,
                               __global float* dA, const int offDA) {
    dropout_scale(n, seed, step, layer, threshold, scale, first, dO + offDO, dA + offDA);
}
