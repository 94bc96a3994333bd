package io.clprop.verify;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one comparison every check reports: errors, relative errors, where the worst is, and the verdict. */
class ComparisonTest {
    @Test
    void eachElementIsMeasuredAgainstItsOwnScale() {
        float[] actual = {1.5f, 10.25f, 3f}, reference = {1f, 10f, 3f};
        Comparison c = Comparison.of("k", "3", actual, reference, 0, 3, Comparison.Scale.of(new double[]{100, 1, 1}),
                0.25);
        assertEquals(0.5, c.maxAbs());
        assertEquals(0.25, c.maxRel()); // element 1: 0.25 / 1, above element 0's 0.5 / 100
        assertEquals(1, c.scale());
        assertTrue(c.passed());
        assertFalse(new Comparison("k", "3", 0.5, 0.25, 1, 0.2499).passed());
    }

    @Test
    void onlyTheGivenRangeIsCompared() {
        double[] actual = {9, 1, 2, 9}, reference = {0, 1, 2, 0};
        Comparison c = Comparison.of("k", "", actual, reference, 1, 3, Comparison.Scale.constant(1), 0);
        assertEquals(0, c.maxAbs());
        assertEquals(0, c.maxRel());
        assertTrue(c.passed());
    }

    @Test
    void aNanOnEitherSideOrADifferenceOfInfinitiesIsAnInfiniteError() {
        float inf = Float.POSITIVE_INFINITY, nan = Float.NaN;
        for (float[] pair : new float[][]{{nan, 1}, {1, nan}, {nan, nan}, {inf, inf}, {inf, 1}}) {
            Comparison c = Comparison.of("k", "", new float[]{pair[0]}, new float[]{pair[1]}, 0, 1,
                    Comparison.Scale.constant(1), 1e30);
            assertEquals(Double.POSITIVE_INFINITY, c.maxAbs(), pair[0] + " vs " + pair[1]);
            assertEquals(Double.POSITIVE_INFINITY, c.maxRel(), pair[0] + " vs " + pair[1]);
            assertFalse(c.passed());
        }
        // A NaN scale (a NaN reference) is infinite too, never a NaN that compares false both ways.
        Comparison c = Comparison.of("k", "", new double[]{1}, new double[]{2}, 0, 1, Comparison.Scale.constant(Double.NaN), 1);
        assertEquals(Double.POSITIVE_INFINITY, c.maxRel());
    }

    @Test
    void aZeroScaleIsExactness() {
        Comparison same = Comparison.of("k", "", new float[]{2}, new float[]{2}, 0, 1, Comparison.Scale.constant(0), 0);
        assertEquals(0, same.maxRel());
        assertTrue(same.passed());
        Comparison off = Comparison.of("k", "", new float[]{2}, new float[]{3}, 0, 1, Comparison.Scale.constant(0), 0);
        assertEquals(Double.POSITIVE_INFINITY, off.maxRel());
        assertFalse(off.passed());
    }

    @Test
    void relativeToLargestDividesByTheRangesLargestReferenceMagnitude() {
        float[] actual = {0, 1.5f, -4.5f, 100}, reference = {7, 1, -4, 100};
        Comparison c = Comparison.relativeToLargest("gradient", "W1", actual, reference, 1, 3, 0.1);
        assertEquals(0.5, c.maxAbs());
        assertEquals(0.125, c.maxRel());
        assertEquals(4, c.scale());
        assertFalse(c.passed());
    }

    @Test
    void exactComparisonsCountMismatches() {
        Comparison ok = Comparison.exact("argmax_rows", "3x4", 0);
        assertTrue(ok.passed());
        Comparison bad = Comparison.exact("argmax_rows", "3x4", 2);
        assertEquals(2, bad.maxAbs());
        assertFalse(bad.passed());
    }

    @Test
    void theWorstIsTheFurthestBeyondItsToleranceAndTheFirstOfEquals() {
        Comparison a = new Comparison("a", "", 1, 1e-3, 1, 1e-2);
        Comparison b = new Comparison("b", "", 1, 1e-4, 1, 1e-4);
        Comparison c = new Comparison("c", "", 1, 2e-4, 1, 2e-4);
        Comparison exact = Comparison.exact("d", "", 0);
        assertSame(b, Comparison.worst(a, b)); // 1e-4 is its whole tolerance, 1e-3 a tenth of a's
        assertSame(b, Comparison.worst(List.of(exact, a, b, c)));
        assertSame(c, Comparison.worst(List.of(exact, a, c, b)));
        assertSame(a, Comparison.worst(List.of(exact, a)));
    }

    @Test
    void theTableRowSaysWhatWhereAndTheVerdict() {
        assertEquals(String.format("%-22s %-16s %10.3e %10.3e %10.3e  PASS", "gemm_nn", "1x1x1", 1e-7, 1e-8, 1e-7),
                new Comparison("gemm_nn", "1x1x1", 1e-7, 1e-8, 10, 1e-7).row());
        assertTrue(new Comparison("gemm_nn", "1x1x1", 1, 1, 1, 0).row().endsWith("  FAIL"));
    }
}
