package io.clprop.verify;

import io.clprop.backend.Backend;
import io.clprop.backend.Tensor;
import io.clprop.backend.WindowGeometry;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.backend.opencl.OpenClBackend;
import io.clprop.backend.Activation;
import static io.clprop.verify.Comparison.U;

import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs each kernel on a device and its twin on the CPU reference with the same random inputs and compares
 * them element by element against an error bound derived for that kernel (llm.c's dev/cuda validation,
 * with the tolerance written down).
 *
 * <p>Bounds, with u = 2⁻²⁴ the float32 unit roundoff. The reference is the double-precision result rounded
 * once to float, so its own error (≤ u·|r|) is inside each bound.
 * <ul>
 *   <li>matmul: a K-term dot product in float has |error| ≤ γ_K·Σ|a||b| ≈ K·u·Σ|a||b| in any summation
 *       order, with or without fused multiply-add; tol = (K+2)·u relative to Σ|a_ik||b_kj|.</li>
 *   <li>column sums and the batch mean: the same bound over n terms, relative to Σ|x|; tol = (n+2)·u.</li>
 *   <li>exp/tanh-based activations: OpenCL C allows exp and expm1 3 ulp, tanh 5 ulp, log1p 2 ulp,
 *       division 2.5 ulp (1 ulp ≤ 2u relative); with the add, sigmoid is within about 12u of |f(z)|. elu
 *       below 0 is expm1(z): 6u. softplus = max(z,0) + log1p(e^−|z|): exp's 6u passes through log1p with a
 *       factor x/((1+x)·log1p x) ≤ 1, log1p adds 4u, the add with max(z,0) (same sign) u: 11u. leaky-relu
 *       is one rounding of 0.01f·z (0.01f is 0.01 within 2.3e-9, 0.04u). Each plus the reference's u:
 *       tol = 16·u relative to |r| for all. Every element in 7 is drawn from ±30 instead of ±6, so
 *       saturated sigmoid/tanh and softplus's and elu's far tails (eᶻ near 1e-13) are checked.</li>
 *   <li>activation derivative dA·f′(a) (see {@link #derivativeScale}): sigmoid, tanh, relu, identity:
 *       three roundings, and 1−a² cancels, so the bound is relative to |dA|·(1+a²); tol = 4·u.
 *       leaky-relu, elu, softplus: f′ is computed without cancellation (a constant; a+1, exact for
 *       a ≤ −½ by Sterbenz and one rounding above; −expm1(−a), 6u), so the bound is relative to
 *       |dA·f′(a)| itself, which catches a 1 − e^−a that cancels to 0 for tiny a: with the product's and
 *       the reference's roundings tol = 4·u (leaky-relu, elu) and 8·u (softplus).</li>
 *   <li>softmax-CE: exp and log each within 3 ulp, C-term sum, then log Σ − z[label] cancels; the error is
 *       below u·(C + 12 + 8·ln C + 3·max|z|), bounded here by 16·u·(C + 1 + 2·max|z|) per row (grad: that over B).</li>
 *   <li>softmax probabilities p = exp(z−m)/Σexp(z−m), m the row maximum: z−m rounds by u·|z−m|, which exp
 *       turns into a relative error |z−m|·u; exp adds 3 ulp (6u), so each term is within (|z−m|+6)u; the
 *       sum of C positive terms then within (s+6+C−1)u with s = max(z)−min(z) the row's spread; the division
 *       adds 2.5 ulp (5u) and the reference u: tol (C + 17 + 2s)·u relative to p itself (s the largest
 *       spread of the case). The inputs are shifted by 120 in half the cases, where exp(z) alone would
 *       overflow float: only subtracting the maximum passes those.</li>
 *   <li>squared error: per element d = ŷ−y (one rounding) then d², summed over C: tol (C+3)·u relative to
 *       ½Σ(|ŷ|+|y|)²; gradient d·(1/B): three roundings on the device and one in the reference, tol 5·u
 *       relative to (|ŷ|+|y|)/B.</li>
 *   <li>bias add: one rounding each side, tol 3·u relative to |z|+|b|; SGD update with weight decay: up to
 *       four roundings on the device (wd·p, the sum, η·g′, the difference) and one in the reference, tol 6·u
 *       relative to |p|+η(|g|+wd|p|).</li>
 *   <li>momentum, two steps: velocity 8·u relative to (1+μ)·max|g′|, parameters 12·u relative to
 *       |p|+2η(1+μ)²max|g′|; Adam, two steps: moments 8·u relative to max|g′| and g′², parameters 32·u
 *       relative to |p| + the step (derivation at {@link #adamUpdate}).</li>
 *   <li>transpose, transpose_each, gather, argmax: exact copies or comparisons; tol 0.</li>
 *   <li>im2col and the max-pool forward: copies of input values (the padding's zeros, a window's first
 *       maximum) and the max-pool's indices: exact, tol 0, values and indices alike. The max-pool inputs are
 *       small integers, so most windows hold ties and the first-maximum rule is compared too.</li>
 *   <li>col2im and the max-pool backward: sums, in float in a fixed order, of the at most n = ⌈k/s⌉² windows
 *       that hold a pixel. n = 1 (k = 1, or s ≥ k: windows that do not overlap) is one term, a copy on both
 *       sides: tol 0. Otherwise recursive summation's (n−1)·u, the reference's u and a u for the higher-order
 *       term: tol (n+1)·u relative to the sum of the terms' magnitudes (the twin run on their absolute
 *       values); a pixel no window reaches (or chooses) has bound 0 and must be exactly 0.</li>
 *   <li>dropout forward and backward: the mask is integer arithmetic on both sides, so it must be identical
 *       (tol 0: any element kept on one side and dropped on the other fails the case); a kept value is one
 *       float product a·(1/(1−P)), correctly rounded on both sides (OpenCL C requires it of *), so expected
 *       equal; tol 2·u relative to |r| (one ulp), for a device that rounds a product differently.</li>
 * </ul>
 */
public final class KernelCrossCheck implements AutoCloseable {
    private final Backend device;
    private final CpuBackend host = new CpuBackend(CpuBackend.Precision.FLOAT);
    private final RandomGenerator rng;
    private final List<Tensor> allocated = new ArrayList<>();

    public KernelCrossCheck(Backend device, long seed) {
        this.device = device;
        this.rng = new Well19937c(seed);
    }

    // ---- the suite ------------------------------------------------------------------------------------

    /** Matrix shapes (M, N, K) for every product form: 1, primes, non-multiples of the 4×32 block, tall,
     *  wide, and the default network's forward, dX and dW shapes. */
    public static final int[][] MATMUL_SHAPES = {
            {1, 1, 1}, {1, 7, 3}, {3, 1, 5}, {2, 3, 1}, {4, 32, 1}, {5, 33, 17}, {7, 31, 13}, {13, 97, 61},
            {31, 65, 127}, {61, 127, 257}, {3, 257, 2}, {257, 3, 31}, {1, 1000, 7}, {1000, 1, 7}, {128, 10, 128},
            {128, 256, 784}, {128, 128, 256}, {128, 784, 256}, {256, 784, 128}, {10, 128, 128}, {37, 10, 784}, {67, 32, 9},
    };

    /**
     * Weight-gradient shapes (M, N, K) over a long K, which the OpenCL backend sums in slices of K
     * (dense_backward_weights_split, then sum_slices; dense_backward_weights_narrow, then sum_slices, where
     * dW has fewer than 16 columns): K not divisible by the slice count, a single output, two slices exactly,
     * a convolution's filters over every window of a batch (32 × 9 over 3·28·28 rows, the reference CNN's
     * first layer at batch 3; 64 × 18 over 128·14·14, its second layer's rows), and 37 × 15 (the widest
     * narrow dW, its last block of rows cut short).
     * The four cheapest stay small (at most 0.7M products): a small selection runs them under Oclgrind.
     */
    public static final int[][] SPLIT_WEIGHT_SHAPES = {
            {3, 5, 4099}, {1, 1, 5000}, {7, 33, 2048}, {32, 9, 2352}, {64, 18, 25088}, {37, 15, 3001},
    };

    /** Shapes (rows, cols) for element-wise, row-wise and column-wise kernels. */
    public static final int[][] MATRIX_SHAPES = {
            {1, 1}, {1, 10}, {3, 1}, {7, 13}, {31, 33}, {61, 127}, {128, 10}, {129, 257}, {1, 1000}, {1000, 3},
            {128, 256},
    };

    /**
     * Window geometries {batch, channels, height, width, k, stride, padding} for im2col and col2im: 1 channel,
     * prime channel counts, odd and non-square images, k = 1, 3, 5, stride 1 and 2, padding 0, 1 and 2 (2 with
     * k = 3: windows mostly border), batch 1 and 3, windows that leave rows and columns over (28 with k 3
     * stride 2; 28 + 2 with k 5 stride 2; 8×6 with k 1 stride 2), and the reference CNN's second convolution.
     */
    public static final int[][] CONV_SHAPES = {
            {1, 1, 5, 5, 3, 1, 0}, {3, 1, 5, 5, 3, 2, 1}, {1, 1, 5, 5, 3, 1, 2}, {1, 3, 7, 9, 3, 1, 1},
            {3, 5, 7, 9, 5, 2, 2}, {1, 3, 5, 5, 1, 1, 0}, {3, 5, 8, 6, 1, 2, 0}, {3, 1, 28, 28, 3, 2, 0},
            {1, 7, 28, 28, 5, 2, 1}, {1, 7, 28, 28, 5, 1, 2}, {3, 32, 14, 14, 3, 1, 1},
    };

    /**
     * Geometries for the max-pool: the reference CNN's 2×2 stride 2 (on 4×4, on odd sizes that leave a row
     * and column over, and on its first layer's 32 × 28 × 28), overlapping windows (k 3 stride 1 and 2, with
     * padding 1; k 5 padding 2), k = 1, windows with gaps between them (k 2 stride 3), prime channel counts
     * and batch 1 and 3. Windows that neither overlap nor are padded go backward through a kernel of their
     * own on OpenCL (maxpool_backward_disjoint), the others through the gather. The four cheapest (what a
     * small selection such as bin/sanitize's runs of each kernel) include overlapping, padded windows, as
     * {@link #CONV_SHAPES}' do.
     */
    public static final int[][] POOL_SHAPES = {
            {1, 1, 4, 4, 2, 2, 0}, {3, 1, 5, 5, 2, 2, 0}, {1, 3, 7, 9, 2, 2, 0}, {1, 3, 5, 5, 3, 2, 1},
            {3, 5, 7, 9, 3, 2, 1},
            {1, 7, 28, 28, 2, 2, 0}, {3, 3, 28, 28, 3, 1, 1}, {1, 5, 5, 5, 5, 1, 2}, {3, 7, 9, 7, 1, 1, 0},
            {3, 32, 28, 28, 2, 2, 0}, {3, 5, 9, 8, 2, 3, 0},
    };

    /**
     * A case of the suite, run on demand. A small selection ({@link #select}) takes each kernel's cases by
     * {@code pass}, then {@code cost}, cheapest first: variants of one shape beyond the first (the fused dense
     * kernels' other activations) have later passes, so a selection spreads over shapes before repeating one.
     */
    public record Case(String kernel, long cost, int pass, Supplier<Comparison> run) {
        public Case(String kernel, long cost, Supplier<Comparison> run) {
            this(kernel, cost, 0, run);
        }
    }

    /**
     * The activations in the order the fused dense cases of one shape take them: the hidden ones first, so
     * the first pass over the shapes (what a small selection runs) rotates through them.
     */
    private static final List<Activation> FUSED_ORDER = java.util.stream.Stream.concat(
            Activation.HIDDEN.stream(), java.util.stream.Stream.of(Activation.IDENTITY)).toList();

    /** Every kernel over every shape of the suite, not yet run. */
    public List<Case> suite() {
        List<Case> out = new ArrayList<>();
        // Each shape's rank by cost: the rotation of the fused cases' activations starts from it.
        Integer[] byCost = new Integer[MATMUL_SHAPES.length];
        for (int i = 0; i < byCost.length; i++) {
            byCost[i] = i;
        }
        java.util.Arrays.sort(byCost, java.util.Comparator.comparingLong(i -> (long) MATMUL_SHAPES[i][0]
                * MATMUL_SHAPES[i][1] * MATMUL_SHAPES[i][2]));
        int[] rank = new int[byCost.length];
        for (int r = 0; r < byCost.length; r++) {
            rank[byCost[r]] = r;
        }
        for (int i = 0; i < MATMUL_SHAPES.length; i++) {
            int[] s = MATMUL_SHAPES[i];
            long cost = (long) s[0] * s[1] * s[2];
            out.add(new Case("gemm_nn", cost, () -> matmul(s[0], s[1], s[2], false, false)));
            out.add(new Case("gemm_tn", cost, () -> matmul(s[0], s[1], s[2], true, false)));
            out.add(new Case("gemm_nt", cost, () -> matmul(s[0], s[1], s[2], false, true)));
            // Every activation on every shape: the fused epilogues have a float16 body, float4 and scalar
            // edges (gemm.cl) and a scalar tile (gemm_tiled.cl), and which of them a column takes depends
            // on the shape. The r-th cheapest shape starts at activation r (mod 7), so pass 0, cheapest
            // first, rotates through the hidden activations.
            for (int pass = 0; pass < FUSED_ORDER.size(); pass++) {
                Activation f = FUSED_ORDER.get((rank[i] + pass) % FUSED_ORDER.size());
                out.add(new Case("dense_forward", cost, pass, () -> denseForward(s[0], s[1], s[2], f)));
                out.add(new Case("dense_backward_input", cost, pass, () -> denseBackwardInput(s[0], s[1], s[2], f)));
            }
            out.add(new Case("dense_backward_weights", cost, () -> denseBackwardWeights(s[0], s[1], s[2])));
        }
        for (int[] s : SPLIT_WEIGHT_SHAPES) {
            long cost = (long) s[0] * s[1] * s[2];
            // The OpenCL backend sums a long dW in slices, by its narrow kernel when dW has few columns.
            String kernel = device instanceof OpenClBackend o ? o.weightsKernel(s[0], s[1], s[2]) : SPLIT_WEIGHTS;
            out.add(new Case(kernel, cost, () -> denseBackwardWeights(kernel, s[0], s[1], s[2])));
        }
        for (int[] s : MATRIX_SHAPES) {
            int r = s[0], c = s[1];
            long cost = (long) r * c;
            out.add(new Case("transpose", cost, () -> transpose(r, c)));
            out.add(new Case("bias_add", cost, () -> biasAdd(r, c)));
            for (Activation f : Activation.values()) {
                out.add(new Case("activate[" + f.specName() + "]", cost, () -> activate(f, r, c)));
                out.add(new Case("activation_backward[" + f.specName() + "]", cost, () -> activationBackward(f, r, c)));
            }
            out.add(new Case("bias_grad", cost, () -> biasGrad(r, c)));
            out.add(new Case("mse_loss", cost, () -> mseLoss(r, c)));
            out.add(new Case("softmax_ce", cost, () -> softmaxCrossEntropy(r, c)));
            out.add(new Case("softmax_rows", cost, () -> softmaxRows(r, c, 0)));
            out.add(new Case("softmax_rows[shifted]", cost, () -> softmaxRows(r, c, 120)));
            out.add(new Case("mean_into", cost, () -> meanInto(r * c)));
            out.add(new Case("sgd_update", cost, () -> sgdUpdate(r * c)));
            out.add(new Case("momentum_update", cost, () -> momentumUpdate(r * c, false)));
            out.add(new Case("momentum_update[nesterov]", cost, () -> momentumUpdate(r * c, true)));
            out.add(new Case("adam_update", cost, () -> adamUpdate(r * c)));
            out.add(new Case("copy", cost, () -> copy(r * c)));
            out.add(new Case("axpby", cost, () -> axpby(r * c, false)));
            out.add(new Case("axpby[b=0]", cost, () -> axpby(r * c, true)));
            out.add(new Case("nonfinite_flag", cost, () -> nonfiniteFlag(r * c)));
            out.add(new Case("gather_rows", cost, () -> gatherRows(r, c, r + 5)));
            out.add(new Case("gather_rows[int]", cost, () -> gatherRowsInt(r * c, r * c + 3)));
            out.add(new Case("argmax_rows", cost, () -> argmaxRows(r, c)));
            // Rates on both sides of ½, so thresholds above 2³¹ (negative as Java ints) are compared unsigned.
            for (double p : new double[]{0.3, 0.7}) {
                out.add(new Case("dropout_forward[p=" + p + "]", cost, () -> dropout(r, c, p, false)));
                out.add(new Case("dropout_backward[p=" + p + "]", cost, () -> dropout(r, c, p, true)));
            }
        }
        for (int[] s : CONV_SHAPES) {
            WindowGeometry g = geometry(s);
            long cost = (long) s[0] * g.outputPixels() * g.patchSize();
            out.add(new Case("im2col", cost, () -> im2col(s[0], g)));
            // A convolution's product rows into NCHW images and back, for this geometry's C_out = C + 2.
            int pixels = g.outputPixels(), channels = g.channels() + 2;
            long moved = (long) s[0] * pixels * channels;
            out.add(new Case("transpose_each", moved, () -> transposeEach(s[0], pixels, channels)));
            out.add(new Case("transpose_each", moved, 1, () -> transposeEach(s[0], channels, pixels)));
            out.add(new Case("col2im", cost, () -> col2im(s[0], g)));
        }
        for (int[] s : POOL_SHAPES) {
            WindowGeometry g = geometry(s);
            long cost = (long) s[0] * g.channels() * g.outputPixels() * g.kernel() * g.kernel();
            // The OpenCL backend computes 2 × 2 stride-2 pools with a kernel of their own.
            out.add(new Case(g.twoByTwo() ? "maxpool_forward_2x2" : "maxpool_forward", cost,
                    () -> maxPoolForward(s[0], g)));
            out.add(new Case(poolBackwardKernel(g, Activation.IDENTITY), cost,
                    () -> maxPoolBackward(s[0], g, Activation.IDENTITY)));
            // With the previous layer's activation derivative fused in: the same kernel on later passes (as
            // dense_forward's activations), its comparisons named with the activation.
            int pass = 1;
            for (Activation f : Activation.values()) {
                if (f != Activation.IDENTITY) {
                    out.add(new Case(poolBackwardKernel(g, Activation.IDENTITY), cost, pass++,
                            () -> maxPoolBackward(s[0], g, f)));
                }
            }
        }
        return out;
    }

    /** The geometry of a row of {@link #CONV_SHAPES} or {@link #POOL_SHAPES} (its batch left out). */
    private static WindowGeometry geometry(int[] s) {
        return new WindowGeometry(s[1], s[2], s[3], s[4], s[5], s[6]);
    }

    /**
     * At most {@code n} cases that cover every kernel before repeating one: each kernel's cases by pass, then
     * cheapest first, taken round-robin across kernels.
     */
    public static List<Case> select(List<Case> all, int n) {
        java.util.Map<String, java.util.Deque<Case>> byKernel = new java.util.LinkedHashMap<>();
        for (Case c : all) {
            byKernel.computeIfAbsent(c.kernel(), k -> new java.util.ArrayDeque<>()).add(c);
        }
        for (java.util.Map.Entry<String, java.util.Deque<Case>> e : byKernel.entrySet()) {
            List<Case> sorted = new ArrayList<>(e.getValue());
            sorted.sort(java.util.Comparator.comparingInt(Case::pass).thenComparingLong(Case::cost));
            e.setValue(new java.util.ArrayDeque<>(sorted));
        }
        List<Case> out = new ArrayList<>();
        while (out.size() < n) {
            boolean any = false;
            for (java.util.Deque<Case> q : byKernel.values()) {
                if (!q.isEmpty() && out.size() < n) {
                    out.add(q.poll());
                    any = true;
                }
            }
            if (!any) {
                break;
            }
        }
        return out;
    }

    /** Runs the whole suite. */
    public List<Comparison> runSuite() {
        List<Comparison> out = new ArrayList<>();
        for (Case c : suite()) {
            out.add(c.run().get());
        }
        return out;
    }

    // ---- one case per kernel --------------------------------------------------------------------------

    /** c = op(a)·op(b), checked with kernels gemm_nn / gemm_tn (and transpose for op(b) = bᵀ). */
    public Comparison matmul(int m, int n, int k, boolean transA, boolean transB) {
        float[] a = uniform(m * k, 1), b = uniform(k * n, 1);
        int ar = transA ? k : m, ac = transA ? m : k, br = transB ? n : k, bc = transB ? k : n;
        Pair A = pair(a, ar, ac), B = pair(b, br, bc), C = alloc(m, n);
        device.matmul(A.device(), transA, B.device(), transB, C.device());
        host.matmul(A.host(), transA, B.host(), transB, C.host());
        double[] bound = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int kk = 0; kk < k; kk++) {
                    double av = transA ? a[kk * m + i] : a[i * k + kk];
                    double bv = transB ? b[j * k + kk] : b[kk * n + j];
                    s += Math.abs(av * bv);
                }
                bound[i * n + j] = s;
            }
        }
        String name = transA ? "gemm_tn" : transB ? "gemm_nt" : "gemm_nn";
        return done(compare(name, m + "x" + n + "x" + k, C, bound, (k + 2) * U));
    }

    /**
     * out = f(x·wᵀ + b), x m×k, w n×k. The dot product and bias carry (k+2)·u·(Σ|x||w| + |b|), every
     * activation is 1-Lipschitz (leaky-relu's slopes are 1 and 0.01, elu's and softplus's derivatives eᶻ and
     * σ(z) are at most 1) so that passes through, and f itself adds up to 16·u·|r| (see activate),
     * plus the reference's rounding: tol (k+20)·u relative to Σ|x||w| + |b| + |r|.
     */
    public Comparison denseForward(int m, int n, int k, Activation f) {
        float[] x = uniform(m * k, 1), w = uniform(n * k, 1), b = uniform(n, 1);
        Pair X = pair(x, m, k), W = pair(w, n, k), B = pair(b, 1, n), O = alloc(m, n);
        device.denseForward(X.device(), W.device(), B.device(), f, O.device());
        host.denseForward(X.host(), W.host(), B.host(), f, O.host());
        float[] r = host.read(O.host());
        double[] bound = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = Math.abs(b[j]) + Math.abs(r[i * n + j]);
                for (int kk = 0; kk < k; kk++) {
                    s += Math.abs(x[i * k + kk] * w[j * k + kk]);
                }
                bound[i * n + j] = Math.max(s, Float.MIN_NORMAL);
            }
        }
        // The OpenCL backend's register-block products take K below 16 with a kernel of their own.
        String kernel = device instanceof OpenClBackend o ? o.forwardKernel(k) : "dense_forward";
        return done(compare(kernel + "[" + f.specName() + "]", m + "x" + n + "x" + k, O, bound, (k + 20) * U));
    }

    /**
     * dzPrev = (dz·w) ⊙ f′(aPrev), dz m×k, w k×n. Dot product (k+2)·u·Σ|dz||w| scaled by |f′| ≤ 1, and f′
     * computed from a as activation_backward does (within {@link #derivativeUlps} − 2 units of u of
     * {@link #derivativeScale}, there relative to (1 + a²) where 1−a² cancels, else to |f′|), then the product's
     * and the reference's roundings: tol (k + 2 + derivativeUlps)·u relative to Σ|dz||w|·derivativeScale(a):
     * (k+6)·u, softplus (k+10)·u.
     */
    public Comparison denseBackwardInput(int m, int n, int k, Activation f) {
        float[] dz = uniform(m * k, 1), w = uniform(k * n, 1), z = activationInputs(m * n, 4);
        float[] a = new float[z.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) f.apply(z[i]);
        }
        Pair DZ = pair(dz, m, k), W = pair(w, k, n), A = pair(a, m, n), O = alloc(m, n);
        device.denseBackwardInput(DZ.device(), W.device(), f, A.device(), O.device());
        host.denseBackwardInput(DZ.host(), W.host(), f, A.host(), O.host());
        double[] bound = new double[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int kk = 0; kk < k; kk++) {
                    s += Math.abs(dz[i * k + kk] * w[kk * n + j]);
                }
                bound[i * n + j] = Math.max(s * derivativeScale(f, a[i * n + j]), Float.MIN_NORMAL);
            }
        }
        return done(compare("dense_backward_input[" + f.specName() + "]", m + "x" + n + "x" + k, O, bound,
                (k + 2 + derivativeUlps(f)) * U));
    }

    /**
     * dw = dzᵀ·x (dz k×m, x k×n) and db = Σ_rows dz: the matmul bound for dw, the column-sum bound for db,
     * the worse of the two reported.
     */
    /** The two kernels a split weight gradient runs, named together in its checks. */
    public static final String SPLIT_WEIGHTS = "dense_backward_weights_split+sum_slices";

    /** dW = dZᵀ·X and db, checked as dense_backward_weights. */
    public Comparison denseBackwardWeights(int m, int n, int k) {
        return denseBackwardWeights("dense_backward_weights", m, n, k);
    }

    /** dW = dZᵀ·X and db, checked as {@code kernel} (the split shapes run two kernels, named together). */
    public Comparison denseBackwardWeights(String kernel, int m, int n, int k) {
        float[] dz = uniform(k * m, 1), x = uniform(k * n, 1);
        Pair DZ = pair(dz, k, m), X = pair(x, k, n), DW = alloc(m, n), DB = alloc(1, m);
        device.denseBackwardWeights(DZ.device(), X.device(), DW.device(), DB.device());
        host.denseBackwardWeights(DZ.host(), X.host(), DW.host(), DB.host());
        double[] wBound = new double[m * n], bBound = new double[m];
        for (int i = 0; i < m; i++) {
            for (int kk = 0; kk < k; kk++) {
                bBound[i] += Math.abs(dz[kk * m + i]);
            }
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int kk = 0; kk < k; kk++) {
                    s += Math.abs(dz[kk * m + i] * x[kk * n + j]);
                }
                wBound[i * n + j] = s;
            }
        }
        String shape = m + "x" + n + "x" + k;
        Comparison w = compare(kernel, shape, DW, wBound, (k + 2) * U);
        Comparison b = compare(kernel, shape, DB, bBound, (k + 2) * U);
        return done(Comparison.worst(w, b));
    }

    public Comparison transpose(int rows, int cols) {
        Pair src = pair(uniform(rows * cols, 1), rows, cols), dst = alloc(cols, rows);
        device.transpose(src.device(), dst.device());
        host.transpose(src.host(), dst.host());
        return done(compare("transpose", rows + "x" + cols, dst, ones(rows * cols), 0));
    }

    /** {@code blocks} matrices rows × cols each transposed: an exact copy (tol 0). */
    public Comparison transposeEach(int blocks, int rows, int cols) {
        int n = blocks * rows * cols;
        Pair src = pair(uniform(n, 1), blocks * rows, cols), dst = alloc(blocks * cols, rows);
        device.transposeEach(src.device(), blocks, rows, cols, dst.device());
        host.transposeEach(src.host(), blocks, rows, cols, dst.host());
        return done(compare("transpose_each", blocks + "x" + rows + "x" + cols, dst, ones(n), 0));
    }

    public Comparison biasAdd(int rows, int cols) {
        float[] z = uniform(rows * cols, 1), b = uniform(cols, 1);
        Pair Z = pair(z, rows, cols), B = pair(b, 1, cols);
        device.addBias(Z.device(), B.device());
        host.addBias(Z.host(), B.host());
        double[] bound = new double[z.length];
        for (int i = 0; i < z.length; i++) {
            bound[i] = Math.abs(z[i]) + Math.abs(b[i % cols]);
        }
        return done(compare("bias_add", rows + "x" + cols, Z, bound, 3 * U));
    }

    public Comparison activate(Activation f, int rows, int cols) {
        Pair Z = pair(activationInputs(rows * cols, 6), rows, cols), A = alloc(rows, cols);
        device.activate(f, Z.device(), A.device());
        host.activate(f, Z.host(), A.host());
        float[] r = host.read(A.host());
        double[] bound = new double[r.length];
        for (int i = 0; i < r.length; i++) {
            bound[i] = Math.max(Math.abs(r[i]), Float.MIN_NORMAL);
        }
        return done(compare("activate[" + f.specName() + "]", rows + "x" + cols, A, bound, 16 * U));
    }

    public Comparison activationBackward(Activation f, int rows, int cols) {
        float[] z = activationInputs(rows * cols, 4), dA = uniform(rows * cols, 1);
        float[] a = new float[z.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) f.apply(z[i]);
        }
        Pair A = pair(a, rows, cols), DA = pair(dA, rows, cols), DZ = alloc(rows, cols);
        device.activationBackward(f, A.device(), DA.device(), DZ.device());
        host.activationBackward(f, A.host(), DA.host(), DZ.host());
        double[] bound = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            bound[i] = Math.max(Math.abs(dA[i]) * derivativeScale(f, a[i]), Float.MIN_NORMAL);
        }
        return done(compare("activation_backward[" + f.specName() + "]", rows + "x" + cols, DZ, bound,
                derivativeUlps(f) * U));
    }

    /**
     * What f′(a)'s error is measured against. Sigmoid, tanh, relu, identity: 1 + a², since tanh′ = 1 − a²
     * cancels (a² carries u·a²). Leaky-relu, elu, softplus: |f′(a)| itself, as their f′ is computed with no
     * cancellation (see {@link #derivativeUlps}), so a form that cancels (1 − e^−a for tiny a) is caught.
     */
    static double derivativeScale(Activation f, double a) {
        switch (f) {
            case LEAKY_RELU, ELU, SOFTPLUS:
                return Math.abs(f.derivativeFromOutput(a));
            default:
                return 1 + a * a;
        }
    }

    /**
     * Units of u between the device's dA·f′(a) and the reference, relative to |dA|·{@link #derivativeScale}:
     * the existing four, 4 (three roundings). leaky-relu: the product and the reference (0.01f is 0.01
     * within 0.04u): 4. elu: a + 1 is exact for a ≤ −½ (Sterbenz) and one rounding above, with the product
     * and the reference 3: 4. softplus: −expm1(−a) is 3 ulp ≤ 6u of f′, with the product and the
     * reference: 8.
     */
    static int derivativeUlps(Activation f) {
        return f == Activation.SOFTPLUS ? 8 : 4;
    }

    public Comparison biasGrad(int rows, int cols) {
        float[] dz = uniform(rows * cols, 1);
        Pair DZ = pair(dz, rows, cols), DB = alloc(1, cols);
        device.biasGrad(DZ.device(), DB.device());
        host.biasGrad(DZ.host(), DB.host());
        double[] bound = new double[cols];
        for (int i = 0; i < dz.length; i++) {
            bound[i % cols] += Math.abs(dz[i]);
        }
        return done(compare("bias_grad", rows + "x" + cols, DB, bound, (rows + 2) * U));
    }

    public Comparison mseLoss(int rows, int cols) {
        float[] y = uniform(rows * cols, 1), t = uniform(rows * cols, 1);
        Pair Y = pair(y, rows, cols), T = pair(t, rows, cols), L = alloc(rows, 1), G = alloc(rows, cols);
        device.mseLoss(Y.device(), T.device(), L.device(), G.device());
        host.mseLoss(Y.host(), T.host(), L.host(), G.host());
        double[] lossBound = new double[rows], gradBound = new double[rows * cols];
        for (int i = 0; i < y.length; i++) {
            double mag = Math.abs(y[i]) + Math.abs(t[i]);
            lossBound[i / cols] += 0.5 * mag * mag;
            gradBound[i] = mag / rows;
        }
        Comparison loss = compare("mse_loss", rows + "x" + cols, L, lossBound, (cols + 3) * U);
        Comparison grad = compare("mse_loss", rows + "x" + cols, G, gradBound, 5 * U);
        return done(Comparison.worst(loss, grad));
    }

    public Comparison softmaxCrossEntropy(int rows, int cols) {
        float[] z = uniform(rows * cols, 8);
        int[] labels = new int[rows];
        for (int r = 0; r < rows; r++) {
            labels[r] = rng.nextInt(cols);
        }
        Pair Z = pair(z, rows, cols), Y = pairInt(labels), L = alloc(rows, 1), G = alloc(rows, cols);
        device.softmaxCrossEntropy(Z.device(), Y.device(), L.device(), G.device());
        host.softmaxCrossEntropy(Z.host(), Y.host(), L.host(), G.host());
        double[] lossBound = new double[rows], gradBound = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            double maxAbs = 0;
            for (int c = 0; c < cols; c++) {
                maxAbs = Math.max(maxAbs, Math.abs(z[r * cols + c]));
            }
            lossBound[r] = cols + 1 + 2 * maxAbs;
            for (int c = 0; c < cols; c++) {
                gradBound[r * cols + c] = lossBound[r] / rows;
            }
        }
        Comparison loss = compare("softmax_ce", rows + "x" + cols, L, lossBound, 16 * U);
        Comparison grad = compare("softmax_ce", rows + "x" + cols, G, gradBound, 16 * U);
        return done(Comparison.worst(loss, grad));
    }

    /** softmax_rows on logits uniform in ±8 plus {@code shift} (see the class comment for the bound). */
    public Comparison softmaxRows(int rows, int cols, double shift) {
        float[] z = uniform(rows * cols, 8);
        double spread = 0;
        for (int r = 0; r < rows; r++) {
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) {
                z[r * cols + c] += (float) shift;
                lo = Math.min(lo, z[r * cols + c]);
                hi = Math.max(hi, z[r * cols + c]);
            }
            spread = Math.max(spread, hi - lo);
        }
        Pair Z = pair(z, rows, cols), P = alloc(rows, cols);
        device.softmaxRows(Z.device(), P.device());
        host.softmaxRows(Z.host(), P.host());
        float[] p = host.read(P.host());
        double[] bound = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            bound[i] = Math.max(p[i], Float.MIN_NORMAL);
        }
        String name = shift == 0 ? "softmax_rows" : "softmax_rows[shifted]";
        return done(compare(name, rows + "x" + cols, P, bound, (cols + 17 + 2 * spread) * U));
    }

    public Comparison meanInto(int n) {
        float[] x = uniform(n, 1);
        Pair X = pair(x, n, 1), D = alloc(1, 3);
        device.meanInto(X.device(), D.device(), 1);
        host.meanInto(X.host(), D.host(), 1);
        double s = 0;
        for (float v : x) {
            s += Math.abs(v);
        }
        // Elements 0 and 2 must stay untouched (bound 0 there: any write fails the check).
        return done(compare("mean_into", "n=" + n, D, new double[]{0, s / n, 0}, (n + 3) * U));
    }

    public Comparison sgdUpdate(int n) {
        float[] p = uniform(n, 1), g = uniform(n, 1);
        float lr = 0.1f, wd = 0.01f;
        Pair P = pair(p, 1, n), G = pair(g, 1, n);
        device.sgdUpdate(P.device(), G.device(), lr, wd);
        host.sgdUpdate(P.host(), G.host(), lr, wd);
        double[] bound = new double[n];
        for (int i = 0; i < n; i++) {
            bound[i] = Math.abs(p[i]) + lr * (Math.abs(g[i]) + wd * Math.abs(p[i]));
        }
        return done(compare("sgd_update", "n=" + n, P, bound, 6 * U));
    }

    /**
     * y = a·x + b·y with a device's share weight for a (rows/batch: 0.4375) and b = 1 as the gradient sum uses
     * them, or b = 0 over a y of NaN, which must then not be read. One product and one sum: 3u of |a·x| + |b·y|
     * (2u if the device contracts them to a fused multiply-add).
     */
    public Comparison axpby(int n, boolean overwrite) {
        float[] x = uniform(n, 1), y = uniform(n, 1);
        float a = 0.4375f, b = overwrite ? 0 : 1;
        if (overwrite) {
            java.util.Arrays.fill(y, Float.NaN);
        }
        Pair X = pair(x, 1, n), Y = pair(y, 1, n);
        device.axpby(a, X.device(), b, Y.device());
        host.axpby(a, X.host(), b, Y.host());
        double[] bound = new double[n];
        for (int i = 0; i < n; i++) {
            bound[i] = Math.max(Math.abs(a * x[i]) + (overwrite ? 0 : Math.abs(y[i])), Float.MIN_NORMAL);
        }
        return done(compare(overwrite ? "axpby[b=0]" : "axpby", "n=" + n, Y, bound, 3 * U));
    }

    /** Velocity and parameters after two steps (so the velocity carried in is non-zero), worse of the two. */
    public Comparison momentumUpdate(int n, boolean nesterov) {
        String name = nesterov ? "momentum_update[nesterov]" : "momentum_update";
        float[] p = uniform(n, 1), g1 = uniform(n, 1), g2 = uniform(n, 1);
        float lr = 0.05f, mu = 0.9f, wd = 0.01f;
        Pair P = pair(p, 1, n), G = pair(g1, 1, n), V = alloc(1, n);
        for (float[] g : new float[][]{g1, g2}) {
            device.write(G.device(), g);
            host.write(G.host(), g);
            device.momentumUpdate(P.device(), G.device(), V.device(), lr, mu, wd, nesterov);
            host.momentumUpdate(P.host(), G.host(), V.host(), lr, mu, wd, nesterov);
        }
        // |v| ≤ (1+μ)·(|g|+wd·|p|) over two steps with |p| changing by at most lr·|v| per step; the bound uses
        // the largest gradient and the starting |p| + 1 so it holds for both steps.
        double[] vBound = new double[n], pBound = new double[n];
        for (int i = 0; i < n; i++) {
            double gMax = Math.max(Math.abs(g1[i]), Math.abs(g2[i])) + wd * (Math.abs(p[i]) + 1);
            vBound[i] = (1 + mu) * gMax;
            pBound[i] = Math.abs(p[i]) + 2 * lr * (1 + mu) * vBound[i];
        }
        String shape = "n=" + n + " 2 steps";
        return done(Comparison.worst(compare(name, shape + " velocity", V, vBound, 8 * U),
                compare(name, shape, P, pBound, 12 * U)));
    }

    /** Moments and parameters after two steps (t = 1, 2), worst of the three. */
    public Comparison adamUpdate(int n) {
        float[] p = uniform(n, 1), g1 = uniform(n, 1), g2 = uniform(n, 1);
        float lr = 0.01f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f, wd = 0.01f;
        Pair P = pair(p, 1, n), G = pair(g1, 1, n), M = alloc(1, n), S = alloc(1, n);
        int t = 0;
        for (float[] g : new float[][]{g1, g2}) {
            t++;
            float c1 = (float) (1 - Math.pow(b1, t)), c2 = (float) (1 - Math.pow(b2, t));
            device.write(G.device(), g);
            host.write(G.host(), g);
            device.adamUpdate(P.device(), G.device(), M.device(), S.device(), lr, b1, b2, eps, wd, c1, c2);
            host.adamUpdate(P.host(), G.host(), M.host(), S.host(), lr, b1, b2, eps, wd, c1, c2);
        }
        // m and s: a few roundings of terms no larger than |g'| and g'² (tol 8u relative to those). The step
        // lr·(m/c1)/(√(s/c2)+ε) has magnitude ≤ lr·|m/c1|/√(s/c2) ≤ lr/√(1−β2)·… in general, but here each
        // |m/c1| ≤ max|g'| and √(s/c2) ≥ |g'|·√((1−β2)/c2) for the last gradient, so we bound the step by the
        // quotient computed in double from the host's own m and s; its relative error on the device is at most
        // that of m (8u), of s halved by the root (4u), sqrt (3 ulp ≤ 6u), two divisions (2.5 ulp each ≤ 10u)
        // and the products (4u): 32u relative to |p| + |step|.
        float[] mh = host.read(M.host()), sh = host.read(S.host());
        double c1 = (float) (1 - Math.pow(b1, t)), c2 = (float) (1 - Math.pow(b2, t));
        double[] mBound = new double[n], sBound = new double[n], pBound = new double[n];
        for (int i = 0; i < n; i++) {
            double gMax = Math.max(Math.abs(g1[i]), Math.abs(g2[i])) + wd * (Math.abs(p[i]) + 1);
            mBound[i] = gMax;
            sBound[i] = gMax * gMax;
            double step = lr * Math.abs(mh[i] / c1) / (Math.sqrt(sh[i] / c2) + eps);
            pBound[i] = Math.abs(p[i]) + 2 * Math.max(step, lr);
        }
        String shape = "n=" + n + " 2 steps";
        return done(Comparison.worst(Comparison.worst(compare("adam_update", shape + " m", M, mBound, 8 * U),
                        compare("adam_update", shape + " s", S, sBound, 8 * U)),
                compare("adam_update", shape, P, pBound, 32 * U)));
    }

    /**
     * The divergence flag over four inputs: all finite (flag stays 0), one NaN, one +Inf and one −Inf at
     * random places (flag 1). Exact: tol 0.
     */
    public Comparison nonfiniteFlag(int n) {
        float[] special = {0, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        Pair flags = alloc(1, special.length);
        for (int j = 0; j < special.length; j++) {
            float[] x = uniform(n, 1e30);
            if (j > 0) {
                x[rng.nextInt(n)] = special[j];
            }
            Pair X = pair(x, 1, n);
            device.flagNonFinite(X.device(), flags.device(), j);
            host.flagNonFinite(X.host(), flags.host(), j);
        }
        Comparison r = compare("nonfinite_flag", "n=" + n, flags, ones(special.length), 0);
        float[] d = device.read(flags.device());
        boolean right = d[0] == 0 && d[1] == 1 && d[2] == 1 && d[3] == 1;
        return done(right ? r : Comparison.exact("nonfinite_flag", "n=" + n + " (flags " + java.util.Arrays.toString(d)
                + ")", 1));
    }

    /** Device-to-device copy into the middle of a larger buffer: exact, and nothing else touched. */
    public Comparison copy(int n) {
        Pair src = pair(uniform(n, 1), 1, n), dst = pair(uniform(n + 2, 1), 1, n + 2);
        device.copy(src.device(), dst.device().view(1, 1, n));
        host.copy(src.host(), dst.host().view(1, 1, n));
        return done(compare("copy", "n=" + n, dst, ones(n + 2), 0));
    }

    public Comparison gatherRows(int rows, int cols, int srcRows) {
        Pair src = pair(uniform(srcRows * cols, 1), srcRows, cols), dst = alloc(rows, cols);
        int[] idx = new int[rows + 2];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = rng.nextInt(srcRows);
        }
        Pair I = pairInt(idx);
        device.gatherRows(src.device(), I.device(), 2, dst.device());
        host.gatherRows(src.host(), I.host(), 2, dst.host());
        return done(compare("gather_rows", rows + "x" + cols + " of " + srcRows, dst, ones(rows * cols), 0));
    }

    /** gather_rows on int data (labels): the 32-bit words must arrive unchanged. */
    public Comparison gatherRowsInt(int rows, int srcRows) {
        int[] labels = new int[srcRows];
        for (int i = 0; i < srcRows; i++) {
            labels[i] = rng.nextInt();
        }
        int[] idx = new int[rows];
        for (int i = 0; i < rows; i++) {
            idx[i] = rng.nextInt(srcRows);
        }
        Pair src = pairInt(labels), I = pairInt(idx);
        Tensor dDev = track(device, device.allocateInt(rows)), dHost = track(host, host.allocateInt(rows));
        device.gatherRows(src.device(), I.device(), 0, dDev);
        host.gatherRows(src.host(), I.host(), 0, dHost);
        return done(compareInt("gather_rows[int]", rows + " of " + srcRows, device.readInt(dDev), host.readInt(dHost)));
    }

    public Comparison argmaxRows(int rows, int cols) {
        Pair X = pair(uniform(rows * cols, 1), rows, cols);
        Tensor oDev = track(device, device.allocateInt(rows)), oHost = track(host, host.allocateInt(rows));
        device.argmaxRows(X.device(), oDev);
        host.argmaxRows(X.host(), oHost);
        return done(compareInt("argmax_rows", rows + "x" + cols, device.readInt(oDev), host.readInt(oHost)));
    }

    /**
     * dropout_forward (out = a ⊙ m·s into another buffer) or dropout_backward (in place, as training uses
     * it) with a random seed, step and layer, so steps beyond 2³¹ (unsigned as the kernel takes them) occur.
     * Inputs are never zero, so a zero output is exactly a dropped element: the masks are compared element by
     * element (tol 0), then the values (see the class comment).
     */
    public Comparison dropout(int rows, int cols, double p, boolean backward) {
        String name = (backward ? "dropout_backward" : "dropout_forward") + "[p=" + p + "]";
        float[] a = uniform(rows * cols, 1);
        for (int i = 0; i < a.length; i++) {
            a[i] = a[i] == 0 ? 0.5f : a[i];
        }
        // Every other case a share of a split batch (its first row at a random batch row, see DropoutMask).
        io.clprop.backend.DropoutMask mask = new io.clprop.nn.Dropout(p, rng.nextLong()).mask(rng.nextInt())
                .fromRow(rng.nextBoolean() ? 0 : rng.nextInt(1000));
        int layer = rng.nextInt(4);
        Pair A = pair(a, rows, cols), O = backward ? A : alloc(rows, cols);
        if (backward) {
            device.dropoutBackward(A.device(), mask, layer, A.device());
            host.dropoutBackward(A.host(), mask, layer, A.host());
        } else {
            device.dropout(A.device(), O.device(), mask, layer);
            host.dropout(A.host(), O.host(), mask, layer);
        }
        float[] d = device.read(O.device()), h = host.read(O.host());
        int mismatches = 0;
        double[] bound = new double[h.length];
        for (int i = 0; i < h.length; i++) {
            if ((d[i] == 0) != (h[i] == 0)) {
                mismatches++;
            }
            bound[i] = Math.max(Math.abs(h[i]), Float.MIN_NORMAL);
        }
        String shape = rows + "x" + cols + " layer " + layer + " step " + Integer.toUnsignedString(mask.step())
                + (mask.firstRow() > 0 ? " from row " + mask.firstRow() : "");
        if (mismatches > 0) {
            return done(Comparison.exact(name, shape + " (" + mismatches + " mask elements differ)", mismatches));
        }
        return done(compare(name, shape, O, bound, 2 * U));
    }

    /** im2col of a batch: an exact copy (tol 0), padding included. */
    public Comparison im2col(int batch, WindowGeometry g) {
        Pair X = pair(uniform(batch * g.imageSize(), 1), batch, g.imageSize());
        Pair cols = alloc(batch * g.outputPixels(), g.patchSize());
        device.im2col(X.device(), g, cols.device());
        host.im2col(X.host(), g, cols.host());
        return done(compare("im2col", where(batch, g), cols, ones(cols.host().size()), 0));
    }

    /** col2im of random window gradients; the bound and tolerance are the class comment's. */
    public Comparison col2im(int batch, WindowGeometry g) {
        float[] cols = uniform(batch * g.outputPixels() * g.patchSize(), 1);
        Pair C = pair(cols, batch * g.outputPixels(), g.patchSize()), DX = alloc(batch, g.imageSize());
        device.col2im(C.device(), g, DX.device());
        host.col2im(C.host(), g, DX.host());
        Tensor magnitudes = track(host, host.allocate(batch * g.outputPixels(), g.patchSize()));
        Tensor sums = track(host, host.allocate(batch, g.imageSize()));
        host.write(magnitudes, absolute(cols));
        host.col2im(magnitudes, g, sums);
        return done(compare("col2im", where(batch, g), DX, doubles(host.read(sums)), overlapTolerance(g)));
    }

    /**
     * Max-pool forward on small integers (−3 … 3), so that most windows hold ties: the pooled values (tol 0)
     * and the argmax indices (exact), whichever differs more.
     */
    public Comparison maxPoolForward(int batch, WindowGeometry g) {
        Pair X = pair(smallIntegers(batch * g.imageSize()), batch, g.imageSize()), O = alloc(batch, g.pooledSize());
        Tensor iDev = track(device, device.allocateInt(batch * g.pooledSize()));
        Tensor iHost = track(host, host.allocateInt(batch * g.pooledSize()));
        device.maxPoolForward(X.device(), g, O.device(), iDev);
        host.maxPoolForward(X.host(), g, O.host(), iHost);
        String where = where(batch, g), kernel = g.twoByTwo() ? "maxpool_forward_2x2" : "maxpool_forward";
        Comparison values = compare(kernel, where, O, ones(O.host().size()), 0);
        Comparison indices = compareInt(kernel, where + " argmax", device.readInt(iDev),
                host.readInt(iHost));
        return done(Comparison.worst(values, indices));
    }

    /** The kernel a max-pool backward case runs on OpenCL, and its activation when one is fused in. */
    private static String poolBackwardKernel(WindowGeometry g, Activation f) {
        // The OpenCL backend writes disjoint windows' gradients with a kernel of their own, 2 × 2 ones with another.
        String kernel = g.twoByTwo() ? "maxpool_backward_2x2"
                : g.disjoint() ? "maxpool_backward_disjoint" : "maxpool_backward";
        return f == Activation.IDENTITY ? kernel : kernel + "[" + f.specName() + "]";
    }

    /**
     * Max-pool backward of random gradients through the indices of the host's forward pass on tie-heavy
     * inputs, given to both sides (so the backward kernel alone is compared); bound and tolerance as col2im's.
     * With an activation f, the sums are multiplied by f′ of a layer output a (drawn as activation_backward's
     * case draws it): the bound scaled by {@link #derivativeScale}, the tolerance widened by
     * {@link #derivativeUlps}, as there.
     */
    public Comparison maxPoolBackward(int batch, WindowGeometry g, Activation f) {
        Tensor x = track(host, host.allocate(batch, g.imageSize()));
        Tensor pooled = track(host, host.allocate(batch, g.pooledSize()));
        Tensor chosen = track(host, host.allocateInt(batch * g.pooledSize()));
        host.write(x, smallIntegers(batch * g.imageSize()));
        host.maxPoolForward(x, g, pooled, chosen);
        float[] dOut = uniform(batch * g.pooledSize(), 1);
        Pair G = pair(dOut, batch, g.pooledSize()), I = pairInt(host.readInt(chosen)), DX = alloc(batch, g.imageSize());
        float[] z = activationInputs(batch * g.imageSize(), 4), a = new float[z.length];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) f.apply(z[i]);
        }
        Pair A = pair(a, batch, g.imageSize());
        device.maxPoolBackward(G.device(), I.device(), g, f, A.device(), DX.device());
        host.maxPoolBackward(G.host(), I.host(), g, f, A.host(), DX.host());
        Tensor magnitudes = track(host, host.allocate(batch, g.pooledSize()));
        Tensor sums = track(host, host.allocate(batch, g.imageSize()));
        host.write(magnitudes, absolute(dOut));
        host.maxPoolBackward(magnitudes, I.host(), g, sums);
        double[] bound = doubles(host.read(sums));
        double tolerance = overlapTolerance(g);
        if (f != Activation.IDENTITY) {
            for (int i = 0; i < bound.length; i++) {
                bound[i] = Math.max(bound[i] * derivativeScale(f, a[i]), Float.MIN_NORMAL);
            }
            tolerance += derivativeUlps(f) * U;
        }
        return done(compare(poolBackwardKernel(g, f), where(batch, g), DX, bound, tolerance));
    }

    /** The tolerance of a sum over the windows holding a pixel (see the class comment): 0 when at most one does. */
    static double overlapTolerance(WindowGeometry g) {
        int perAxis = (g.kernel() + g.stride() - 1) / g.stride();
        int n = perAxis * perAxis;
        return n == 1 ? 0 : (n + 1) * U;
    }

    /** A case's geometry as verify's table shows it: batch × channels × height × width, then k, s and p. */
    private static String where(int batch, WindowGeometry g) {
        return batch + "x" + g.channels() + "x" + g.height() + "x" + g.width() + " k" + g.kernel() + "s" + g.stride()
                + "p" + g.padding();
    }

    /** Integers from −3 to 3 as floats: a max-pool window of several of them mostly holds a tie. */
    private float[] smallIntegers(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rng.nextInt(7) - 3;
        }
        return x;
    }

    private static float[] absolute(float[] x) {
        float[] a = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            a[i] = Math.abs(x[i]);
        }
        return a;
    }

    private static double[] doubles(float[] x) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }

    // ---- plumbing -------------------------------------------------------------------------------------

    /** A buffer of the case on the device and its twin on the host, allocated alike and given the same values. */
    private record Pair(Tensor device, Tensor host) {
    }

    /** The case's output on the device against the host's, element i relative to {@code bound[i]}. */
    private Comparison compare(String kernel, String shape, Pair t, double[] bound, double tol) {
        float[] d = device.read(t.device());
        float[] h = host.read(t.host());
        return Comparison.of(kernel, shape, d, h, 0, d.length, Comparison.Scale.of(bound), tol);
    }

    private Comparison compareInt(String kernel, String shape, int[] d, int[] h) {
        int mismatches = 0;
        for (int i = 0; i < d.length; i++) {
            if (d[i] != h[i]) {
                mismatches++;
            }
        }
        return Comparison.exact(kernel, shape, mismatches);
    }

    /** Frees the case's buffers once all its outputs have been read. */
    private Comparison done(Comparison r) {
        freeAll();
        return r;
    }

    /**
     * Pre-activations: uniform in ±scale, but every 7th element (7 is prime, so the wide ones fall in every
     * column of the suite's shapes) uniform in ±30, where sigmoid and tanh saturate, elu is −1 + eᶻ with eᶻ
     * near 1e-13 and softplus is eᶻ alone (30, not more: sigmoid's e^−z stays finite in float).
     */
    private float[] activationInputs(int n, double scale) {
        float[] z = uniform(n, scale);
        for (int i = 3; i < n; i += 7) {
            z[i] = (float) ((2 * rng.nextDouble() - 1) * 30);
        }
        return z;
    }

    private float[] uniform(int n, double scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) ((2 * rng.nextDouble() - 1) * scale);
        }
        return x;
    }

    private static double[] ones(int n) {
        double[] o = new double[n];
        java.util.Arrays.fill(o, 1);
        return o;
    }

    private Pair pair(float[] values, int rows, int cols) {
        Tensor d = track(device, device.allocate(rows, cols));
        Tensor h = track(host, host.allocate(rows, cols));
        device.write(d, values);
        host.write(h, values);
        return new Pair(d, h);
    }

    private Pair pairInt(int[] values) {
        Tensor d = track(device, device.allocateInt(values.length));
        Tensor h = track(host, host.allocateInt(values.length));
        device.writeInt(d, values);
        host.writeInt(h, values);
        return new Pair(d, h);
    }

    private Pair alloc(int rows, int cols) {
        return new Pair(track(device, device.allocate(rows, cols)), track(host, host.allocate(rows, cols)));
    }

    private final List<Backend> owners = new ArrayList<>();

    private Tensor track(Backend owner, Tensor t) {
        allocated.add(t);
        owners.add(owner);
        return t;
    }

    private void freeAll() {
        for (int i = 0; i < allocated.size(); i++) {
            owners.get(i).free(allocated.get(i));
        }
        allocated.clear();
        owners.clear();
    }

    @Override
    public void close() {
        freeAll();
        host.close();
    }
}
