// Parameter updates. All layers' parameters sit in one buffer and their gradients in another with the
// same layout, so one launch updates the whole network.

// P -= lr · G. Global size: n.
__kernel void sgd_update(const int n,
                         __global float* P, const int offP,
                         const __global float* G, const int offG,
                         const float lr) {
    const int i = get_global_id(0);
    if (i < n) {
        P[offP + i] -= lr * G[offG + i];
    }
}
