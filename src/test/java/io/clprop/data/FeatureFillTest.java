package io.clprop.data;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static io.clprop.data.UserErrors.assertUserError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Fill values: means over the values present, zeros, and each NaN replaced by its own feature's value. */
class FeatureFillTest {
    static final float NAN = Float.NaN;
    static final List<String> COLUMNS = List.of("column 1 (\"a\")", "column 3 (\"c\")", "column 4 (\"d\")");

    static Dataset data(float... x) {
        return new Dataset(x, new int[x.length / 3], 3, 1);
    }

    @Test
    void meansOverThePresentValuesInDouble() {
        // 16777216 + 1 + 1: the float sum would stay at 2^24; summed in double the mean is 2^24 + 2/3 → 16777216.
        Dataset d = data(1, 16777216, NAN,
                NAN, 1, -2,
                4, 1, NAN,
                NAN, NAN, 5);
        FeatureFill f = FeatureFill.fit(FeatureFill.Policy.MEAN, d, COLUMNS, Path.of("t.csv"));
        assertEquals(FeatureFill.Policy.MEAN, f.policy());
        assertArrayEquals(new float[]{2.5f, (float) ((16777216.0 + 1 + 1) / 3), 1.5f}, f.values());
        FeatureFill.FilledSet filled = f.apply(d);
        assertEquals(5, filled.cells());
        assertArrayEquals(new float[]{1, 16777216, 1.5f, 2.5f, 1, -2, 4, 1, 1.5f, 2.5f, f.values()[1], 5},
                filled.data().features());
        assertArrayEquals(d.labels(), filled.data().labels());
        assertEquals(NAN, d.features()[2], "the input is not changed");
    }

    @Test
    void zerosAndDataWithoutGaps() {
        Dataset d = data(1, NAN, 3, NAN, NAN, NAN);
        FeatureFill z = FeatureFill.fit(FeatureFill.Policy.ZERO, d, COLUMNS, Path.of("t.csv"));
        assertArrayEquals(new float[3], z.values());
        FeatureFill.FilledSet filled = z.apply(d);
        assertEquals(4, filled.cells());
        assertArrayEquals(new float[]{1, 0, 3, 0, 0, 0}, filled.data().features());
        Dataset full = data(1, 2, 3);
        FeatureFill.FilledSet none = z.apply(full);
        assertEquals(0, none.cells());
        assertSame(full, none.data(), "nothing to fill: the same data set");
    }

    @Test
    void aColumnWithoutAnyValueHasNoMean() {
        Dataset d = data(1, NAN, 3, 2, NAN, 4);
        assertUserError(() -> FeatureFill.fit(FeatureFill.Policy.MEAN, d, COLUMNS, Path.of("t.csv")),
                "t.csv: column 3 (\"c\") has no values in the training set (every cell is empty or NA), so missing "
                        + "mean has no mean to fill it with");
    }

    @Test
    void fillValuesMustBeFiniteAndZeroMeansZero() {
        assertThrows(IllegalArgumentException.class, () -> new FeatureFill(FeatureFill.Policy.MEAN, new float[]{1, NAN}));
        assertThrows(IllegalArgumentException.class,
                () -> new FeatureFill(FeatureFill.Policy.MEAN, new float[]{Float.POSITIVE_INFINITY}));
        assertThrows(IllegalArgumentException.class, () -> new FeatureFill(FeatureFill.Policy.ZERO, new float[]{0, 1}));
        assertThrows(IllegalArgumentException.class, () -> new FeatureFill(FeatureFill.Policy.ERROR, new float[]{0}));
        assertThrows(IllegalArgumentException.class, () -> new FeatureFill(FeatureFill.Policy.MEAN, new float[0]));
        assertEquals(FeatureFill.Policy.ZERO, FeatureFill.Policy.parse("zero"));
        assertThrows(IllegalArgumentException.class, () -> FeatureFill.Policy.parse("median"));
    }
}
