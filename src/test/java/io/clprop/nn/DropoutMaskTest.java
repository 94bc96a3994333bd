package io.clprop.nn;

import io.clprop.backend.DropoutMask;

import io.clprop.backend.Tensor;
import io.clprop.backend.cpu.CpuBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The hash mask's statistics: the kept fraction is 1−P, masks of other steps, layers and seeds are
 * independent of each other (their overlap is (1−P)², not 1−P as for a repeated mask), and the thresholds
 * and scale are those the design states. That the device draws the same mask bit for bit is
 * KernelCrossCheck's dropout cases.
 */
class DropoutMaskTest {
    static final int N = 1 << 20;

    /** Within 4σ of a binomial(N, q) proportion. */
    private static void assertFraction(double expected, long count, int n, String what) {
        double sigma = Math.sqrt(expected * (1 - expected) / n);
        double got = (double) count / n;
        assertTrue(Math.abs(got - expected) <= 4 * sigma,
                what + ": " + got + " vs " + expected + " (4σ = " + 4 * sigma + ")");
    }

    @ParameterizedTest(name = "P = {0}")
    @ValueSource(doubles = {0.05, 0.2, 0.3, 0.5, 0.7, 0.95})
    void keptFractionIsOneMinusP(double p) {
        DropoutMask m = new Dropout(p, 12345).mask(678);
        for (int layer = 0; layer < 3; layer++) {
            long kept = 0;
            for (int i = 0; i < N; i++) {
                kept += m.keep(layer, i) ? 1 : 0;
            }
            assertFraction(1 - p, kept, N, "P " + p + " layer " + layer);
        }
    }

    @Test
    void otherStepsLayersAndSeedsGiveIndependentMasks() {
        double p = 0.5;
        DropoutMask base = new Dropout(p, 1).mask(100);
        DropoutMask[] others = {new Dropout(p, 1).mask(101), new Dropout(p, 2).mask(100),
                new Dropout(p, 1L << 32 | 1).mask(100), new Dropout(p, 1).mask(100 + (1L << 31))};
        String[] names = {"next step", "other seed", "seed differing in the high word", "step 2³¹ later"};
        for (int k = 0; k < others.length; k++) {
            long both = 0;
            for (int i = 0; i < N; i++) {
                both += base.keep(0, i) && others[k].keep(0, i) ? 1 : 0;
            }
            assertFraction((1 - p) * (1 - p), both, N, names[k]);
        }
        long both = 0;
        for (int i = 0; i < N; i++) {
            both += base.keep(0, i) && base.keep(1, i) ? 1 : 0;
        }
        assertFraction((1 - p) * (1 - p), both, N, "other layer");
        // Neighbouring elements are not correlated either.
        long pairs = 0;
        for (int i = 0; i + 1 < N; i++) {
            pairs += base.keep(0, i) && base.keep(0, i + 1) ? 1 : 0;
        }
        assertFraction((1 - p) * (1 - p), pairs, N - 1, "neighbours");
    }

    @Test
    void thresholdAndScale() {
        Dropout half = new Dropout(0.5, 1);
        assertEquals(1L << 31, Integer.toUnsignedLong(half.threshold()));
        assertEquals(2f, half.scale());
        Dropout d = new Dropout(0.3, 1);
        assertEquals(Math.round(0.7 * 0x1p32), Integer.toUnsignedLong(d.threshold()));
        assertEquals((float) (1 / 0.7), d.scale());
        // Tiny P rounds to 2³²: clamped to the largest unsigned value instead of wrapping to 0.
        assertEquals(0xFFFF_FFFFL, Integer.toUnsignedLong(new Dropout(1e-12, 1).threshold()));
        for (double bad : new double[]{0, 1, -0.1, Double.NaN}) {
            assertThrows(IllegalArgumentException.class, () -> new Dropout(bad, 1));
        }
    }

    @Test
    void cpuTwinScalesKeptUnitsAndZeroesTheRest() {
        Dropout d = new Dropout(0.3, 7);
        DropoutMask m = d.mask(3);
        int rows = 37, cols = 29;
        float[] a = new float[rows * cols];
        for (int i = 0; i < a.length; i++) {
            a[i] = 1 + i * 0.001f;
        }
        try (CpuBackend cpu = new CpuBackend()) {
            Tensor in = cpu.allocate(rows, cols), out = cpu.allocate(rows, cols);
            cpu.write(in, a);
            cpu.dropout(in, out, m, 1);
            float[] o = cpu.read(out);
            cpu.dropoutBackward(in, m, 1, in); // in place, the same mask
            float[] back = cpu.read(in);
            for (int i = 0; i < a.length; i++) {
                float expected = m.keep(1, i) ? a[i] * d.scale() : 0;
                assertEquals(expected, o[i], "element " + i);
                assertEquals(expected, back[i], "backward element " + i);
            }
        }
    }
}
