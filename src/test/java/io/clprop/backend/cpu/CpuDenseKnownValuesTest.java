package io.clprop.backend.cpu;

import io.clprop.backend.Activation;
import io.clprop.backend.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.EnumMap;
import java.util.Map;

import static io.clprop.backend.TestTensors.assertWithinUlps;
import static io.clprop.backend.TestTensors.matrix;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The dense layer's operations on the CPU twin against products and activations worked out by hand, so that
 * the twin is checked against something other than the kernels it checks.
 *
 * <p>Tolerances: the twin accumulates in double and rounds each stored result to float once. Every input here
 * is a small dyadic number, so sums and products are exact in double; where the hand value is representable
 * as a float the comparison is exact (delta 0). Values of sigmoid, tanh, ELU, softplus and leaky ReLU's 0.01
 * are not: they are written as doubles (the true value to 16 digits) and allowed 1 float ulp, since the float
 * nearest the true value and the rounding of a double computed within a few double ulps of it may differ by
 * one where the true value lies near a tie.
 */
class CpuDenseKnownValuesTest {
    private final CpuBackend cpu = new CpuBackend();

    @AfterEach
    void close() {
        cpu.close();
    }

    // A = [[1,2,3],[4,5,6]] (2×3), B = [[7,8],[9,10],[11,12]] (3×2):
    // A·B = [[1·7+2·9+3·11, 1·8+2·10+3·12], [4·7+5·9+6·11, 4·8+5·10+6·12]] = [[58, 64], [139, 154]].
    private static final float[] A = {1, 2, 3, 4, 5, 6};
    private static final float[] A_T = {1, 4, 2, 5, 3, 6};
    private static final float[] B = {7, 8, 9, 10, 11, 12};
    private static final float[] B_T = {7, 9, 11, 8, 10, 12};
    private static final float[] A_TIMES_B = {58, 64, 139, 154};

    @Test
    void matmulMatchesHandComputedProduct() {
        Tensor c = cpu.allocate(2, 2);
        cpu.matmul(matrix(cpu, 2, 3, A), false, matrix(cpu, 3, 2, B), false, c);
        assertArrayEquals(A_TIMES_B, cpu.read(c), 0f);
    }

    @Test
    void matmulTransposedBMatchesHandComputedProduct() {
        // b holds Bᵀ (2×3); op(b) = B.
        Tensor c = cpu.allocate(2, 2);
        cpu.matmul(matrix(cpu, 2, 3, A), false, matrix(cpu, 2, 3, B_T), true, c);
        assertArrayEquals(A_TIMES_B, cpu.read(c), 0f);
    }

    @Test
    void matmulTransposedAMatchesHandComputedProduct() {
        // a holds Aᵀ (3×2); op(a) = A.
        Tensor c = cpu.allocate(2, 2);
        cpu.matmul(matrix(cpu, 3, 2, A_T), true, matrix(cpu, 3, 2, B), false, c);
        assertArrayEquals(A_TIMES_B, cpu.read(c), 0f);
    }

    @Test
    void matmulWithBothTransposedMatchesHandComputedProduct() {
        // The twin offers op(a)·op(b) with both transposed; the OpenCL backend refuses that form.
        Tensor c = cpu.allocate(2, 2);
        cpu.matmul(matrix(cpu, 3, 2, A_T), true, matrix(cpu, 2, 3, B_T), true, c);
        assertArrayEquals(A_TIMES_B, cpu.read(c), 0f);
    }

    @Test
    void matmulReadsAndWritesOnlyItsViews() {
        // a is rows 1–2 of a 3×3 buffer read as 2×3 from element 3; c is rows 1–2 of a 4×2 buffer filled
        // with −1: rows 0 and 3 must keep it.
        Tensor aBuffer = matrix(cpu, 3, 3, 99, 99, 99, 1, 2, 3, 4, 5, 6);
        Tensor cBuffer = matrix(cpu, 4, 2, -1, -1, -1, -1, -1, -1, -1, -1);
        cpu.matmul(aBuffer.view(3, 2, 3), false, matrix(cpu, 3, 2, B), false, cBuffer.rowRange(1, 2));
        assertArrayEquals(new float[]{-1, -1, 58, 64, 139, 154, -1, -1}, cpu.read(cBuffer), 0f);
    }

    @Test
    void matmulWithEmptyInnerDimensionWritesZeros() {
        // A 2×0 times 0×2 is the 2×2 zero matrix (an empty sum), whatever c held.
        Tensor c = matrix(cpu, 2, 2, 5, 5, 5, 5);
        cpu.matmul(cpu.allocate(2, 0), false, cpu.allocate(0, 2), false, c);
        assertArrayEquals(new float[]{0, 0, 0, 0}, cpu.read(c), 0f);
    }

    @Test
    void transposeSwapsRowsAndColumns() {
        Tensor t = cpu.allocate(3, 2);
        cpu.transpose(matrix(cpu, 2, 3, A), t);
        assertArrayEquals(A_T, cpu.read(t), 0f);
    }

    @Test
    void addBiasAddsTheBiasToEveryRow() {
        // [[1,2,3],[4,5,6]] + [10,20,30] per row = [[11,22,33],[14,25,36]].
        Tensor z = matrix(cpu, 2, 3, A);
        cpu.addBias(z, matrix(cpu, 1, 3, 10, 20, 30));
        assertArrayEquals(new float[]{11, 22, 33, 14, 25, 36}, cpu.read(z), 0f);
    }

    // ---- activations ------------------------------------------------------------------------------------

    /** The points each activation is evaluated at: three non-positive (the branch below 0), three positive. */
    private static final float[] POINTS = {-2, -0.5f, 0, 0.5f, 1, 2};

    /** f at {@link #POINTS}, from the closed forms (e = Euler's number). */
    private static final Map<Activation, double[]> AT_POINTS = new EnumMap<>(Activation.class);

    static {
        AT_POINTS.put(Activation.IDENTITY, new double[]{-2, -0.5, 0, 0.5, 1, 2});
        AT_POINTS.put(Activation.RELU, new double[]{0, 0, 0, 0.5, 1, 2});
        // 0.01·z below 0.
        AT_POINTS.put(Activation.LEAKY_RELU, new double[]{-0.02, -0.005, 0, 0.5, 1, 2});
        // 1/(1+e^−z): 1/(1+e²), 1/(1+e^½), ½, 1/(1+e^−½), 1/(1+e^−1), 1/(1+e^−2).
        AT_POINTS.put(Activation.SIGMOID, new double[]{0.11920292202211755, 0.3775406687981454, 0.5,
                0.6224593312018546, 0.7310585786300049, 0.8807970779778823});
        // tanh is odd: tanh(−2) = −tanh 2.
        AT_POINTS.put(Activation.TANH, new double[]{-0.9640275800758169, -0.46211715726000974, 0,
                0.46211715726000974, 0.7615941559557649, 0.9640275800758169});
        // e^z − 1 below 0: e^−2 − 1 = 0.1353352832366127 − 1, e^−½ − 1 = 0.6065306597126334 − 1.
        AT_POINTS.put(Activation.ELU, new double[]{-0.8646647167633873, -0.3934693402873666, 0, 0.5, 1, 2});
        // log(1+e^z) = max(z,0) + log(1+e^−|z|): ln(1+e^−2), ln(1+e^−½), ln 2, ½ + ln(1+e^−½), 1 + ln(1+e^−1),
        // 2 + ln(1+e^−2).
        AT_POINTS.put(Activation.SOFTPLUS, new double[]{0.1269280110429725, 0.4740769841801067, 0.6931471805599453,
                0.9740769841801067, 1.3132616875182228, 2.1269280110429727});
    }

    /** 0 where every value at the points is a float (identity, ReLU), else 1 (see the class comment). */
    private static int ulpsFor(Activation f) {
        return f == Activation.IDENTITY || f == Activation.RELU ? 0 : 1;
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Activation.class)
    void activateMatchesClosedFormsAtNegativeZeroAndPositivePoints(Activation f) {
        Tensor z = matrix(cpu, 2, 3, POINTS), out = cpu.allocate(2, 3);
        cpu.activate(f, z, out);
        assertWithinUlps(AT_POINTS.get(f), cpu.read(out), ulpsFor(f), f.toString());
    }

    @Test
    void activateMayWriteItsInput() {
        Tensor z = matrix(cpu, 2, 3, POINTS);
        cpu.activate(Activation.RELU, z, z);
        assertArrayEquals(new float[]{0, 0, 0, 0.5f, 1, 2}, cpu.read(z), 0f);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Activation.class)
    void denseForwardAddsBiasThenAppliesTheActivation(Activation f) {
        // x = [[1,2],[3,4]], w = [[1.5,−0.25],[−0.25,1],[0.5,0.5]] (out × in), b = [−3,−2.25,−1.5]:
        // row 0: 1.5−0.5−3 = −2,    −0.25+2−2.25 = −0.5,  0.5+1−1.5 = 0;
        // row 1: 4.5−1−3 = 0.5,     −0.75+4−2.25 = 1,     1.5+2−1.5 = 2   (z = the points above, row-major).
        Tensor x = matrix(cpu, 2, 2, 1, 2, 3, 4);
        Tensor w = matrix(cpu, 3, 2, 1.5f, -0.25f, -0.25f, 1, 0.5f, 0.5f);
        Tensor b = matrix(cpu, 1, 3, -3, -2.25f, -1.5f);
        Tensor out = cpu.allocate(2, 3);
        cpu.denseForward(x, w, b, f, out);
        assertWithinUlps(AT_POINTS.get(f), cpu.read(out), ulpsFor(f), f.toString());
    }

    // ---- backward ---------------------------------------------------------------------------------------

    // dz = [[1,−1],[2,0.5]] (B × out), w = [[1,2,3],[−1,0,2]] (out × in):
    // dz·w = [[1·1+(−1)(−1), 1·2+(−1)·0, 1·3+(−1)·2], [2·1+0.5·(−1), 2·2+0.5·0, 2·3+0.5·2]] = [[2,2,1],[1.5,4,7]].
    private static final float[] DZ = {1, -1, 2, 0.5f};
    private static final float[] W = {1, 2, 3, -1, 0, 2};

    private float[] denseBackwardInput(Activation fPrev, float... aPrev) {
        Tensor dzPrev = cpu.allocate(2, 3);
        cpu.denseBackwardInput(matrix(cpu, 2, 2, DZ), matrix(cpu, 2, 3, W), fPrev, matrix(cpu, 2, 3, aPrev), dzPrev);
        return cpu.read(dzPrev);
    }

    @Test
    void denseBackwardInputIsTheProductThroughTheIdentity() {
        assertArrayEquals(new float[]{2, 2, 1, 1.5f, 4, 7}, denseBackwardInput(Activation.IDENTITY, 9, -9, 9, -9, 9, -9), 0f);
    }

    @Test
    void denseBackwardInputMultipliesBySigmoidDerivativeOfThePreviousOutput() {
        // a(1−a) of a = [[½,¼,¾],[¼,½,½]] is [[¼,3/16,3/16],[3/16,¼,¼]]; times [[2,2,1],[1.5,4,7]]:
        // [[0.5, 0.375, 0.1875], [0.28125, 1, 1.75]].
        assertArrayEquals(new float[]{0.5f, 0.375f, 0.1875f, 0.28125f, 1, 1.75f},
                denseBackwardInput(Activation.SIGMOID, 0.5f, 0.25f, 0.75f, 0.25f, 0.5f, 0.5f), 0f);
    }

    @Test
    void denseBackwardInputMasksByReluOfThePreviousOutput() {
        // [a > 0] of a = [[0,1,2],[3,0,0.5]] is [[0,1,1],[1,0,1]]; times [[2,2,1],[1.5,4,7]]: [[0,2,1],[1.5,0,7]].
        assertArrayEquals(new float[]{0, 2, 1, 1.5f, 0, 7},
                denseBackwardInput(Activation.RELU, 0, 1, 2, 3, 0, 0.5f), 0f);
    }

    @Test
    void denseBackwardWeightsMatchesHandComputedGradients() {
        // dw = dzᵀ·x with x = [[1,2,3],[4,5,6]]: row j = Σ_r dz[r][j]·x[r]:
        // j=0: 1·[1,2,3] + 2·[4,5,6] = [9,12,15];  j=1: −1·[1,2,3] + 0.5·[4,5,6] = [1,0.5,0].
        // db = column sums of dz = [1+2, −1+0.5] = [3, −0.5].
        Tensor dw = cpu.allocate(2, 3), db = cpu.allocate(1, 2);
        cpu.denseBackwardWeights(matrix(cpu, 2, 2, DZ), matrix(cpu, 2, 3, A), dw, db);
        assertArrayEquals(new float[]{9, 12, 15, 1, 0.5f, 0}, cpu.read(dw), 0f);
        assertArrayEquals(new float[]{3, -0.5f}, cpu.read(db), 0f);
    }

    /** dA for every activationBackward case. */
    private static final float[] DA = {4, -2, 0.5f};

    /** Per activation: outputs a (in its range) and dZ = dA ⊙ f′(a) with f′ written through a. */
    private static final Map<Activation, float[][]> BACKWARD = new EnumMap<>(Activation.class);

    static {
        // f′ = 1.
        BACKWARD.put(Activation.IDENTITY, new float[][]{{-1, 0, 2}, {4, -2, 0.5f}});
        // f′ = [a > 0] = [0,1,1].
        BACKWARD.put(Activation.RELU, new float[][]{{0, 0.5f, 2}, {0, -2, 0.5f}});
        // f′ = a > 0 ? 1 : 0.01 = [0.01,0.01,1] (a = 0 takes the slope): [0.04, −0.02, 0.5].
        BACKWARD.put(Activation.LEAKY_RELU, new float[][]{{-0.01f, 0, 3}, {0.04f, -0.02f, 0.5f}});
        // a(1−a) = [3/16, 1/4, 3/16]: [0.75, −0.5, 0.09375].
        BACKWARD.put(Activation.SIGMOID, new float[][]{{0.25f, 0.5f, 0.75f}, {0.75f, -0.5f, 0.09375f}});
        // 1−a² = [0.75, 1, 0.4375]: [3, −2, 0.21875].
        BACKWARD.put(Activation.TANH, new float[][]{{-0.5f, 0, 0.75f}, {3, -2, 0.21875f}});
        // a > 0 ? 1 : a+1 = [0.25, 1, 1]: [1, −2, 0.5].
        BACKWARD.put(Activation.ELU, new float[][]{{-0.75f, 0, 1.5f}, {1, -2, 0.5f}});
        // 1 − e^−a at a = ½, 1, 2: 4(1−e^−½) = 1.5738773611494663, −2(1−e^−1) = −1.2642411176571153,
        // ½(1−e^−2) = 0.43233235838169365.
        BACKWARD.put(Activation.SOFTPLUS, new float[][]{{0.5f, 1, 2},
                {(float) 1.5738773611494663, (float) -1.2642411176571153, (float) 0.43233235838169365}});
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Activation.class)
    void activationBackwardMultipliesByTheDerivativeOfTheOutput(Activation f) {
        float[][] c = BACKWARD.get(f);
        Tensor dZ = cpu.allocate(1, 3);
        cpu.activationBackward(f, matrix(cpu, 1, 3, c[0]), matrix(cpu, 1, 3, DA), dZ);
        // Exact but for leaky ReLU's 0.01 and softplus's e^−a (1 ulp, see the class comment).
        double[] expected = new double[3];
        for (int i = 0; i < 3; i++) {
            expected[i] = c[1][i];
        }
        assertWithinUlps(expected, cpu.read(dZ), f == Activation.LEAKY_RELU || f == Activation.SOFTPLUS ? 1 : 0,
                f.toString());
    }

    @Test
    void biasGradSumsTheColumns() {
        // [[1,2],[3,4],[5,−6]]: [1+3+5, 2+4−6] = [9, 0].
        Tensor db = cpu.allocate(1, 2);
        cpu.biasGrad(matrix(cpu, 3, 2, 1, 2, 3, 4, 5, -6), db);
        assertArrayEquals(new float[]{9, 0}, cpu.read(db), 0f);
    }

    @Test
    void doublePrecisionKeepsTheUnroundedProduct() {
        // 0.1·3 in double is 0.30000000000000004, which FLOAT mode would round to the float 0.3f.
        try (CpuBackend exact = new CpuBackend(CpuBackend.Precision.DOUBLE)) {
            Tensor a = exact.allocate(1, 1), b = exact.allocate(1, 1), c = exact.allocate(1, 1);
            exact.writeDouble(a, new double[]{0.1});
            exact.writeDouble(b, new double[]{3});
            exact.matmul(a, false, b, false, c);
            assertEquals(0.30000000000000004, exact.readDouble(c)[0], 0.0);
        }
    }
}
