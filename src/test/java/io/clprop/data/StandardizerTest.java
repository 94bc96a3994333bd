package io.clprop.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class StandardizerTest {
    @Test
    void meanAndPopulationStdPerFeature() {
        // Feature 0: 1, 2, 3, 6 → mean 3, variance (4+1+0+9)/4 = 3.5; feature 1 constant 7.
        Dataset d = new Dataset(new float[]{1, 7, 2, 7, 3, 7, 6, 7}, new int[]{0, 1, 0, 1}, 2, 2);
        Standardizer s = Standardizer.fit(d);
        assertArrayEquals(new float[]{3, 7}, s.mean());
        assertArrayEquals(new float[]{(float) Math.sqrt(3.5), 1f}, s.std(), "a constant feature gets std 1");
        Dataset t = s.apply(d);
        assertSame(d.labels(), t.labels());
        float[] x = t.features();
        double mean = 0, sq = 0;
        for (int i = 0; i < 4; i++) {
            mean += x[2 * i] / 4.0;
            sq += x[2 * i] * x[2 * i] / 4.0;
            assertEquals(0f, x[2 * i + 1], "the constant feature passes through as 0");
        }
        assertEquals(0, mean, 1e-7);
        assertEquals(1, sq, 1e-6);
    }

    @Test
    void largeOffsetsDoNotCancelTheVariance() {
        // 1e6 + {0, 1}: a one-pass Σx² − n·mean² in float would lose the spread entirely.
        float[] f = new float[2000];
        int[] y = new int[2000];
        for (int i = 0; i < f.length; i++) {
            f[i] = 1e6f + (i % 2);
        }
        Standardizer s = Standardizer.fit(new Dataset(f, y, 1, 1));
        assertEquals(0.5f, s.std()[0], 0);
        assertEquals(1e6f + 0.5f, s.mean()[0], 0);
    }

    @Test
    void applyChecksTheWidth() {
        Standardizer s = new Standardizer(new float[]{0, 0}, new float[]{1, 1});
        assertThrows(IllegalArgumentException.class, () -> s.apply(new Dataset(new float[3], new int[1], 3, 1)));
        assertThrows(IllegalArgumentException.class, () -> new Standardizer(new float[]{0}, new float[]{0}));
    }
}
