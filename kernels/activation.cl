// Bias add and element-wise activations with their derivatives (dZ = dA ⊙ f′).
// f′ is computed from the activation's output a = f(z), so a layer keeps only its output:
// sigmoid' = a(1−a), tanh' = 1−a², relu' = [a > 0]. The codes match io.clprop.nn.Activation.

#define ACT_IDENTITY 0
#define ACT_SIGMOID 1
#define ACT_TANH 2
#define ACT_RELU 3

inline float act_apply(const int f, const float z) {
    switch (f) {
        case ACT_SIGMOID: return 1.0f / (1.0f + exp(-z));
        case ACT_TANH: return tanh(z);
        case ACT_RELU: return z > 0.0f ? z : 0.0f;
        default: return z;
    }
}

inline float act_derivative_from_output(const int f, const float a) {
    switch (f) {
        case ACT_SIGMOID: return a * (1.0f - a);
        case ACT_TANH: return 1.0f - a * a;
        case ACT_RELU: return a > 0.0f ? 1.0f : 0.0f;
        default: return 1.0f;
    }
}

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
        dZ[offDZ + i] = dA[offDA + i] * act_derivative_from_output(f, A[offA + i]);
    }
}
