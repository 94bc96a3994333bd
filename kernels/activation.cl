// Bias add and element-wise activations with their derivatives (dZ = dA ⊙ f′), as separate operations.
// Training uses the fused forms in gemm.cl; these serve the MSE output layer's derivative and the API.
// act_apply / act_derivative_float come from activation_functions.clh, built in front of this file.

// Z[r][c] += b[c]. Global size: rows·cols.
__kernel void bias_add(const int rows, const int cols,
                       __global float* Z, const int offZ,
                       const __global float* b, const int offB) {
    const int i = get_global_id(0);
    if (i < rows * cols) {
        Z[offZ + i] += b[offB + i % cols];
    }
}

// O = f(Z); O may alias Z. Global size: n.
__kernel void activate(const int f, const int n,
                       const __global float* Z, const int offZ,
                       __global float* O, const int offO) {
    const int i = get_global_id(0);
    if (i < n) {
        O[offO + i] = act_apply(f, Z[offZ + i]);
    }
}

// dZ = dA ⊙ f′(A); dZ may alias dA. Global size: n.
__kernel void activation_backward(const int f, const int n,
                                  const __global float* A, const int offA,
                                  const __global float* dA, const int offDA,
                                  __global float* dZ, const int offDZ) {
    const int i = get_global_id(0);
    if (i < n) {
        dZ[offDZ + i] = dA[offDA + i] * act_derivative_float(f, A[offA + i]);
    }
}
