package io.clprop.backend.cpu;

import io.clprop.backend.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.clprop.backend.TestTensors.assertWithinUlps;
import static io.clprop.backend.TestTensors.ints;
import static io.clprop.backend.TestTensors.matrix;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The losses, the batch mean and the divergence flag on the CPU twin against values worked out by hand
 * ({@link SoftmaxRowsTest} has softmax_rows on two classes and huge logits).
 *
 * <p>Tolerances: squared errors, means and flags of small dyadic inputs are exact in double and representable
 * as floats, so they are compared exactly (delta 0). Softmax values involve e and logarithms: written as the
 * true value to 16 digits and allowed 1 float ulp (the float nearest the true value and the rounding of a
 * double computation may differ by one near a tie).
 */
class CpuLossKnownValuesTest {
    private final CpuBackend cpu = new CpuBackend();

    @AfterEach
    void close() {
        cpu.close();
    }

    @Test
    void mseLossIsHalfTheSquaredErrorPerRowWithGradientOverTheRowCount() {
        // ŷ − y = [[1,2,3],[3,5,0]] − [[0,2,1],[1,1,0]] = [[1,0,2],[2,4,0]];
        // rowLoss = [½(1+0+4), ½(4+16+0)] = [2.5, 10]; dŷ = (ŷ − y)/B, B = 2 rows (not 3 columns):
        // [[0.5,0,1],[1,2,0]].
        Tensor rowLoss = cpu.allocate(2, 1), grad = cpu.allocate(2, 3);
        cpu.mseLoss(matrix(cpu, 2, 3, 1, 2, 3, 3, 5, 0), matrix(cpu, 2, 3, 0, 2, 1, 1, 1, 0), rowLoss, grad);
        assertArrayEquals(new float[]{2.5f, 10}, cpu.read(rowLoss), 0f);
        assertArrayEquals(new float[]{0.5f, 0, 1, 1, 2, 0}, cpu.read(grad), 0f);
    }

    @Test
    void softmaxCrossEntropyMatchesHandComputedLossAndGradient() {
        // Row 0: z = [0,0,0], label 1: p = [⅓,⅓,⅓], loss = ln 3, gradient ([⅓,⅓,⅓] − [0,1,0])/2 = [⅙,−⅓,⅙].
        // Row 1: z = [1,2,3], label 2: p = [e,e²,e³]/(e+e²+e³) = [0.09003057317038046, 0.24472847105479767,
        // 0.6652409557748219], loss = ln(e+e²+e³) − 3 = 0.40760596444438013, gradient (p − [0,0,1])/2.
        // B = 2 rows, 3 classes: a division by the class count would show.
        Tensor rowLoss = cpu.allocate(2, 1), grad = cpu.allocate(2, 3);
        cpu.softmaxCrossEntropy(matrix(cpu, 2, 3, 0, 0, 0, 1, 2, 3), ints(cpu, 1, 2), rowLoss, grad);
        assertWithinUlps(new double[]{1.0986122886681098, 0.40760596444438013}, cpu.read(rowLoss), 1, "rowLoss");
        assertWithinUlps(new double[]{1.0 / 6, -1.0 / 3, 1.0 / 6,
                0.09003057317038046 / 2, 0.24472847105479767 / 2, (0.6652409557748219 - 1) / 2}, cpu.read(grad), 1,
                "dLogits");
    }

    @Test
    void softmaxCrossEntropyOfHugeEqualLogitsIsTheLogOfTheClassCount() {
        // e^1000 overflows: the maximum is subtracted first. p = ¼ each, loss = ln 4, gradient p − onehot(3).
        // The gradient is exact: exp(−ln 4) is within a double ulp of ¼, far inside half a float ulp.
        Tensor rowLoss = cpu.allocate(1, 1), grad = cpu.allocate(1, 4);
        cpu.softmaxCrossEntropy(matrix(cpu, 1, 4, 1000, 1000, 1000, 1000), ints(cpu, 3), rowLoss, grad);
        assertWithinUlps(new double[]{1.3862943611198906}, cpu.read(rowLoss), 1, "rowLoss");
        assertArrayEquals(new float[]{0.25f, 0.25f, 0.25f, -0.75f}, cpu.read(grad), 0f);
    }

    @ParameterizedTest(name = "label {0} of 3 classes")
    @ValueSource(ints = {-1, 3})
    void softmaxCrossEntropyRejectsALabelOutsideTheClasses(int label) {
        Tensor logits = matrix(cpu, 1, 3, 0, 0, 0);
        assertThrows(IllegalArgumentException.class,
                () -> cpu.softmaxCrossEntropy(logits, ints(cpu, label), cpu.allocate(1, 1), cpu.allocate(1, 3)));
    }

    @Test
    void softmaxRowsNormalisesEachRowOnItsOwn() {
        // softmax([1,2,3]) = [e,e²,e³]/(e+e²+e³); the reversed row gives the reversed probabilities.
        Tensor probs = cpu.allocate(2, 3);
        cpu.softmaxRows(matrix(cpu, 2, 3, 1, 2, 3, 3, 2, 1), probs);
        assertWithinUlps(new double[]{0.09003057317038046, 0.24472847105479767, 0.6652409557748219,
                0.6652409557748219, 0.24472847105479767, 0.09003057317038046}, cpu.read(probs), 1, "probs");
    }

    @Test
    void meanIntoWritesTheMeanAtItsIndexOnly() {
        // (1+2+3+4)/4 = 2.5 into element 2; the others keep 7.
        Tensor dst = matrix(cpu, 4, 1, 7, 7, 7, 7);
        cpu.meanInto(matrix(cpu, 4, 1, 1, 2, 3, 4), dst, 2);
        assertArrayEquals(new float[]{7, 7, 2.5f, 7}, cpu.read(dst), 0f);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(floats = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY})
    void flagNonFiniteSetsTheFlagAtItsIndex(float bad) {
        Tensor flag = cpu.allocate(1, 3);
        cpu.flagNonFinite(matrix(cpu, 1, 3, 1, bad, 2), flag, 1);
        assertArrayEquals(new float[]{0, 1, 0}, cpu.read(flag), 0f);
    }

    @Test
    void flagNonFiniteLeavesTheFlagAsItIsForFiniteValues() {
        // The extremes of float are finite; an earlier flag is kept, not cleared.
        float[] finite = {1, -2, Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, 0};
        Tensor flag = matrix(cpu, 1, 2, 1, 0);
        cpu.flagNonFinite(matrix(cpu, 1, 6, finite), flag, 0);
        cpu.flagNonFinite(matrix(cpu, 1, 6, finite), flag, 1);
        assertArrayEquals(new float[]{1, 0}, cpu.read(flag), 0f);
    }
}
