package io.clprop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DatasetTest {
    /** 3 samples × 2 features, 4 classes. */
    private static Dataset small() {
        return new Dataset(new float[] {1, 2, 3, 4, 5, 6}, new int[] {3, 0, 2}, 2, 4);
    }

    @Test
    void exposesShape() {
        Dataset d = small();
        assertEquals(3, d.size());
        assertEquals(2, d.featureCount());
        assertEquals(4, d.numClasses());
        assertArrayEquals(new int[] {3, 0, 2}, d.labels());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, d.features());
    }

    @Test
    void rowCopiesOneSample() {
        Dataset d = small();
        assertArrayEquals(new float[] {3, 4}, d.row(1));
        d.row(1)[0] = 99;
        assertEquals(3, d.features()[2], "row() must return a copy");
        assertThrows(IndexOutOfBoundsException.class, () -> d.row(3));
        assertThrows(IndexOutOfBoundsException.class, () -> d.row(-1));
    }

    @Test
    void headCopiesFirstSamples() {
        Dataset d = small();
        Dataset h = d.head(2);
        assertEquals(2, h.size());
        assertEquals(4, h.numClasses());
        assertArrayEquals(new float[] {1, 2, 3, 4}, h.features());
        assertArrayEquals(new int[] {3, 0}, h.labels());
        assertNotSame(d.features(), d.head(3).features());
        assertEquals(0, d.head(0).size());
        assertThrows(IllegalArgumentException.class, () -> d.head(4));
        assertThrows(IllegalArgumentException.class, () -> d.head(-1));
    }

    @Test
    void oneHotTargetsPutOneAtTheLabel() {
        assertArrayEquals(new float[] {
            0, 0, 0, 1,
            1, 0, 0, 0,
            0, 0, 1, 0,
        }, small().oneHotTargets());
    }

    @Test
    void constructorRejectsInconsistentInput() {
        assertThrows(IllegalArgumentException.class,
                () -> new Dataset(new float[5], new int[] {0, 0, 0}, 2, 4), "features too short");
        assertThrows(IllegalArgumentException.class,
                () -> new Dataset(new float[6], new int[] {0, 0}, 2, 4), "labels too short");
        assertThrows(IllegalArgumentException.class,
                () -> new Dataset(new float[6], new int[] {0, 4, 0}, 2, 4), "label == numClasses");
        assertThrows(IllegalArgumentException.class,
                () -> new Dataset(new float[6], new int[] {0, -1, 0}, 2, 4), "negative label");
        assertThrows(IllegalArgumentException.class,
                () -> new Dataset(new float[0], new int[0], 0, 4), "zero features");
        assertThrows(IllegalArgumentException.class,
                () -> new Dataset(new float[0], new int[0], 2, 0), "zero classes");
    }
}
