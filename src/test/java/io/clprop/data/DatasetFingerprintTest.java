package io.clprop.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The fingerprint a checkpoint keeps of its training data: equal data equal, any change of value or shape not. */
class DatasetFingerprintTest {
    private static Dataset data(float[] f, int[] labels, int features, int classes) {
        return new Dataset(f, labels, features, classes);
    }

    @Test
    void equalDataEqualFingerprintsAndEveryChangeShows() {
        // 20000 floats: more than one 64 KiB chunk, so the chunking is exercised.
        int n = 5000, d = 4;
        float[] f = new float[n * d];
        int[] l = new int[n];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) Math.sin(i);
        }
        for (int i = 0; i < n; i++) {
            l[i] = i % 3;
        }
        long base = data(f, l, d, 3).fingerprint();
        assertEquals(base, data(f.clone(), l.clone(), d, 3).fingerprint());

        float[] f2 = f.clone();
        f2[f.length - 1] = Math.nextUp(f2[f.length - 1]); // the last feature, one ulp
        assertNotEquals(base, data(f2, l, d, 3).fingerprint());
        int[] l2 = l.clone();
        l2[n - 1] = (l2[n - 1] + 1) % 3; // the last label
        assertNotEquals(base, data(f, l2, d, 3).fingerprint());
        assertNotEquals(base, data(f, l, d, 4).fingerprint()); // class count
        assertNotEquals(base, data(f, new int[n * 2], d / 2, 3).fingerprint()); // the same floats, another shape
    }
}
