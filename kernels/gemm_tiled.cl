// Matrix multiply for GPUs: tiles of C in local memory with a register block per work-item.
//
// The same six entry points as gemm.cl, with the same arguments and the same results up to rounding order:
// gemm_nn (C = A·B), gemm_tn (A stored K×M, C = Aᵀ·B), gemm_nt (B stored N×K, C = A·Bᵀ), and the fused
// dense_forward, dense_backward_input and dense_backward_weights. OpenClBackend builds this file for the
// products when its gemm config is tiled (GemmConfig.Tiled, the default on GPUs); gemm.cl's register
// blocks without local memory suit PoCL, where a work-group runs as loops over its items and local tiles
// only add copies. transpose always comes from gemm.cl.
//
// The scheme is Cedric Nugteren's (the "myGEMM" tutorial, kernels 6–7; CLBlast's xgemm): a work-group
// computes a TSM × TSN tile of C and walks K in chunks of TSK. For each chunk all its work-items copy the
// TSM × TSK slice of op(A) and the TSK × TSN slice of op(B) from global into local memory, wait at a
// barrier, each multiplies from the local slices into its WPTM × WPTN accumulators (registers: the loops
// have compile-time bounds and are unrolled), and all wait again before the next chunk overwrites them.
//
// Work-group: RTSN × RTSM = (TSN/WPTN) × (TSM/WPTM) items, declared with reqd_work_group_size so that a
// launch with any other local size is refused instead of computing a partial tile. Item (tx, ty) owns rows
// ty + RTSM·wm and columns tx + RTSN·wn of the tile: strided rather than contiguous, so neighbouring items
// read neighbouring local words (no bank conflicts) and store neighbouring words of C (coalesced).
//
// The copies absorb the layouts, so the multiply loop is the same for every form: consecutive items read
// consecutive global addresses along whichever dimension is contiguous (k for A and for Bᵀ, i for Aᵀ,
// j for B) and write As[k][i] / Bs[k][j]. Elements past M, N or K are written as zeros, so edge tiles run
// the full loop and those elements add nothing; stores past M or N are skipped. Any M, N, K works without
// padding the caller's buffers. Each local row carries LPAD extra words so that copying a k-contiguous
// operand (consecutive items writing TSM+LPAD words apart) spreads over the banks.
//
// Local memory per work-group: 4·TSK·(TSM + LPAD + TSN + LPAD) bytes (GemmConfig.Tiled.localMemBytes).
// act_apply / act_derivative_float come from activation_functions.clh, built in front of this file.

#ifndef TSM
#define TSM 64
#endif
#ifndef TSN
#define TSN 64
#endif
#ifndef TSK
#define TSK 16
#endif
#ifndef WPTM
#define WPTM 4
#endif
#ifndef WPTN
#define WPTN 4
#endif
#if TSM % WPTM != 0 || TSN % WPTN != 0
#error "the tile (TSM x TSN) must be a whole number of register blocks (WPTM x WPTN)"
#endif
#define RTSM (TSM / WPTM)
#define RTSN (TSN / WPTN)
#define LPAD 1
#define AS_LEN (TSK * (TSM + LPAD))
#define BS_LEN (TSK * (TSN + LPAD))
#define AS(k, i) As[(k) * (TSM + LPAD) + (i)]
#define BS(k, j) Bs[(k) * (TSN + LPAD) + (j)]

// Epilogues applied to each result before it is stored.
#define EPI_NONE 0
#define EPI_BIAS_ACT 1     // f(x + bias[col]), f given by act (dense_forward)
#define EPI_DERIVATIVE 2   // x · f′(aux[row][col]), aux M×N (dense_backward_input)

// C (M×N) = op(A)·op(B), op(A) M×K (transA: A stored K×M), op(B) K×N (transB: B stored N×K), then the
// epilogue. With withDb, the work-groups of the first column tile also write db[i] = Σ_k op(A)[i][k],
// summed from the local slices they load anyway. As and Bs are the kernel's local arrays (OpenCL C
// declares local memory only at kernel scope). The flags are literals at every call, so after inlining
// each entry point compiles to its own straight-line form.
inline void tiled_gemm(const int transA, const int transB, const int epi, const int act, const int withDb,
                       const int M, const int N, const int K,
                       const __global float* A, const __global float* B, __global float* C,
                       const __global float* aux, __global float* db,
                       __local float* As, __local float* Bs) {
    const int tx = get_local_id(0);
    const int ty = get_local_id(1);
    const uint tid = ty * RTSN + tx;
    const int i0 = get_group_id(1) * TSM;
    const int j0 = get_group_id(0) * TSN;
    const int sumDb = withDb && get_group_id(0) == 0; // the same for the whole group: no divergence

    float acc[WPTM][WPTN];
    float dbAcc[WPTM];
#pragma unroll
    for (int wm = 0; wm < WPTM; wm++) {
        dbAcc[wm] = 0.0f;
#pragma unroll
        for (int wn = 0; wn < WPTN; wn++) {
            acc[wm][wn] = 0.0f;
        }
    }

    for (int k0 = 0; k0 < K; k0 += TSK) {
        // Unsigned so that / and % by power-of-two tile sizes compile to shifts and masks.
        for (uint l = tid; l < TSM * TSK; l += RTSM * RTSN) {
            const int i = transA ? l % TSM : l / TSK;
            const int k = transA ? l / TSM : l % TSK;
            const int gi = i0 + i, gk = k0 + k;
            AS(k, i) = gi < M && gk < K ? (transA ? A[gk * M + gi] : A[gi * K + gk]) : 0.0f;
        }
        for (uint l = tid; l < TSN * TSK; l += RTSM * RTSN) {
            const int j = transB ? l / TSK : l % TSN;
            const int k = transB ? l % TSK : l / TSN;
            const int gj = j0 + j, gk = k0 + k;
            BS(k, j) = gj < N && gk < K ? (transB ? B[gj * K + gk] : B[gk * N + gj]) : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);

#pragma unroll
        for (int k = 0; k < TSK; k++) {
            float b[WPTN];
#pragma unroll
            for (int wn = 0; wn < WPTN; wn++) {
                b[wn] = BS(k, tx + wn * RTSN);
            }
#pragma unroll
            for (int wm = 0; wm < WPTM; wm++) {
                const float a = AS(k, ty + wm * RTSM);
                if (sumDb) {
                    dbAcc[wm] += a;
                }
#pragma unroll
                for (int wn = 0; wn < WPTN; wn++) {
                    acc[wm][wn] += a * b[wn];
                }
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }

#pragma unroll
    for (int wm = 0; wm < WPTM; wm++) {
        const int row = i0 + ty + wm * RTSM;
        if (row < M) {
#pragma unroll
            for (int wn = 0; wn < WPTN; wn++) {
                const int col = j0 + tx + wn * RTSN;
                if (col < N) {
                    const float x = acc[wm][wn];
                    C[row * N + col] = epi == EPI_BIAS_ACT ? act_apply(act, x + aux[col])
                            : epi == EPI_DERIVATIVE ? x * act_derivative_float(act, aux[row * N + col])
                            : x;
                }
            }
            if (sumDb && tx == 0) {
                db[row] = dbAcc[wm];
            }
        }
    }
}

// Global size: (ceil(N / TSN)·RTSN, ceil(M / TSM)·RTSM), local size (RTSN, RTSM), for every entry point.
__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1)))
void gemm_nn(const int M, const int N, const int K,
             const __global float* A, const int offA,
             const __global float* B, const int offB,
             __global float* C, const int offC) {
    __local float As[AS_LEN];
    __local float Bs[BS_LEN];
    tiled_gemm(0, 0, EPI_NONE, 0, 0, M, N, K, A + offA, B + offB, C + offC, C, C, As, Bs);
}

// A is stored K×M; C = Aᵀ·B.
__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1)))
void gemm_tn(const int M, const int N, const int K,
             const __global float* A, const int offA,
             const __global float* B, const int offB,
             __global float* C, const int offC) {
    __local float As[AS_LEN];
    __local float Bs[BS_LEN];
    tiled_gemm(1, 0, EPI_NONE, 0, 0, M, N, K, A + offA, B + offB, C + offC, C, C, As, Bs);
}

// B is stored N×K; C = A·Bᵀ.
__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1)))
void gemm_nt(const int M, const int N, const int K,
             const __global float* A, const int offA,
             const __global float* B, const int offB,
             __global float* C, const int offC) {
    __local float As[AS_LEN];
    __local float Bs[BS_LEN];
    tiled_gemm(0, 1, EPI_NONE, 0, 0, M, N, K, A + offA, B + offB, C + offC, C, C, As, Bs);
}

// Out (M×N) = f(X (M×K) · Wᵀ + b), W stored N×K, f given by act.
__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1)))
void dense_forward(const int act, const int M, const int N, const int K,
                   const __global float* X, const int offX,
                   const __global float* W, const int offW,
                   const __global float* b, const int offB,
                   __global float* Out, const int offOut) {
    __local float As[AS_LEN];
    __local float Bs[BS_LEN];
    tiled_gemm(0, 1, EPI_BIAS_ACT, act, 0, M, N, K, X + offX, W + offW, Out + offOut, b + offB, Out + offOut,
               As, Bs);
}

// dZprev (M×N) = (dZ (M×K) · W (K×N)) ⊙ f′(Aprev), f given by act.
__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1)))
void dense_backward_input(const int act, const int M, const int N, const int K,
                          const __global float* dZ, const int offDZ,
                          const __global float* W, const int offW,
                          const __global float* Aprev, const int offAP,
                          __global float* dZprev, const int offOut) {
    __local float As[AS_LEN];
    __local float Bs[BS_LEN];
    tiled_gemm(0, 0, EPI_DERIVATIVE, act, 0, M, N, K, dZ + offDZ, W + offW, dZprev + offOut, Aprev + offAP,
               dZprev + offOut, As, Bs);
}

// dW (M×N) = dZᵀ·X with dZ stored K×M (K = batch rows), and db (M) = column sums of dZ.
__kernel __attribute__((reqd_work_group_size(RTSN, RTSM, 1)))
void dense_backward_weights(const int M, const int N, const int K,
                            const __global float* dZ, const int offDZ,
                            const __global float* X, const int offX,
                            __global float* dW, const int offDW,
                            __global float* db, const int offDB) {
    __local float As[AS_LEN];
    __local float Bs[BS_LEN];
    tiled_gemm(1, 0, EPI_NONE, 0, 1, M, N, K, dZ + offDZ, X + offX, dW + offDW, dW + offDW, db + offDB, As, Bs);
}
