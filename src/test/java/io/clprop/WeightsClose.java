package io.clprop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The comparison of two training runs' weights that the data-parallel, multi-device and cluster tests share:
 * the largest difference over the largest reference weight, printed, against a bound.
 */
public final class WeightsClose {
    private WeightsClose() {
    }

    /** Asserts max|actual − reference| ≤ tolerance · max|reference|; returns the ratio (printed with {@code what}). */
    public static double assertClose(String what, float[] reference, float[] actual, double tolerance) {
        assertEquals(reference.length, actual.length, what + ": parameter counts");
        double maxDiff = 0, maxW = 0;
        for (int i = 0; i < reference.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - reference[i]));
            maxW = Math.max(maxW, Math.abs(reference[i]));
        }
        System.out.printf("%s: max |Δw| = %.3e, max |w| = %.3f, ratio %.3e%n", what, maxDiff, maxW, maxDiff / maxW);
        assertTrue(maxDiff <= tolerance * maxW, what + ": max diff " + maxDiff + " > " + tolerance + " · " + maxW);
        return maxDiff / maxW;
    }
}
