// Matrix multiply for the dense layers, and the transpose that feeds it.
//
// C = op(A) · B, all row-major with contiguous rows. gemm_nn: A is M×K. gemm_tn: A is stored K×M and read
// transposed (dW = dZᵀ·X). The forward product X·Wᵀ transposes W once into a scratch buffer and uses
// gemm_nn, so every form reads B along its rows.
//
// Each work-item computes an RM × (VW·NV) block of C in registers: for every k it loads NV vectors of B's
// row k and broadcasts one scalar of A per row. On PoCL (CPU) the explicit vectors map onto SIMD registers
// directly (PoCL's implicit vectoriser across work-items reached only a tenth of this on the same machine);
// there is no __local tiling because PoCL runs a work-group as loops over items, where local tiles only add
// copies. Blocks that overhang C's edge take a scalar path, so any M, N, K works without padding.
// The block shape is set by -D defines (RM, VW, NV) so a tuner can choose it per device.

#ifndef RM
#define RM 4
#endif
#ifndef VW
#define VW 16
#endif
#ifndef NV
#define NV 2
#endif
#define CN (VW * NV)

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define floatV CAT(float, VW)
#define vloadV CAT(vload, VW)
#define vstoreV CAT(vstore, VW)

inline float a_at(const __global float* A, const int lda, const bool transA, const int i, const int k) {
    return transA ? A[k * lda + i] : A[i * lda + k];
}

inline void gemm_block(const bool transA, const int M, const int N, const int K,
                       const __global float* A, const __global float* B, __global float* C) {
    const int j0 = get_global_id(0) * CN;
    const int i0 = get_global_id(1) * RM;
    if (i0 >= M || j0 >= N) {
        return;
    }
    const int lda = transA ? M : K;
    if (i0 + RM <= M && j0 + CN <= N) {
        floatV acc[RM][NV];
        for (int r = 0; r < RM; r++) {
            for (int v = 0; v < NV; v++) {
                acc[r][v] = (floatV)(0.0f);
            }
        }
        for (int k = 0; k < K; k++) {
            const __global float* brow = B + k * N + j0;
            floatV b[NV];
            for (int v = 0; v < NV; v++) {
                b[v] = vloadV(v, brow);
            }
            for (int r = 0; r < RM; r++) {
                const floatV a = (floatV)(a_at(A, lda, transA, i0 + r, k));
                for (int v = 0; v < NV; v++) {
                    acc[r][v] += a * b[v];
                }
            }
        }
        for (int r = 0; r < RM; r++) {
            for (int v = 0; v < NV; v++) {
                vstoreV(acc[r][v], v, C + (i0 + r) * N + j0);
            }
        }
    } else {
        const int rm = min(RM, M - i0);
        const int cn = min(CN, N - j0);
        for (int r = 0; r < rm; r++) {
            for (int c = 0; c < cn; c++) {
                float s = 0.0f;
                for (int k = 0; k < K; k++) {
                    s += a_at(A, lda, transA, i0 + r, k) * B[k * N + j0 + c];
                }
                C[(i0 + r) * N + j0 + c] = s;
            }
        }
    }
}

// Global size: (ceil(N / (VW·NV)), ceil(M / RM)).
__kernel void gemm_nn(const int M, const int N, const int K,
                      const __global float* A, const int offA,
                      const __global float* B, const int offB,
                      __global float* C, const int offC) {
    gemm_block(false, M, N, K, A + offA, B + offB, C + offC);
}

// A is stored K×M; computes C = Aᵀ·B. Global size as gemm_nn.
__kernel void gemm_tn(const int M, const int N, const int K,
                      const __global float* A, const int offA,
                      const __global float* B, const int offB,
                      __global float* C, const int offC) {
    gemm_block(true, M, N, K, A + offA, B + offB, C + offC);
}

// dst (cols×rows) = srcᵀ. Global size: (cols, rows).
__kernel void transpose(const int rows, const int cols,
                        const __global float* src, const int offS,
                        __global float* dst, const int offD) {
    const int c = get_global_id(0);
    const int r = get_global_id(1);
    if (r < rows && c < cols) {
        dst[offD + c * rows + r] = src[offS + r * cols + c];
    }
}
