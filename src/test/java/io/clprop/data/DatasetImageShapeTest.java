package io.clprop.data;

import io.clprop.util.ImageShape;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A data set's image shape: checked against its features, and kept by every set made from it. */
class DatasetImageShapeTest {
    static final ImageShape SHAPE = new ImageShape(1, 2, 2);

    /** 3 samples of 1×2×2, 2 classes. */
    static Dataset images() {
        return new Dataset(new float[]{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, new int[]{0, 1, 1}, 4, 2, SHAPE);
    }

    @Test
    void plainRowsHaveNoShape() {
        Dataset d = new Dataset(new float[]{1, 2}, new int[]{0}, 2, 1);
        assertEquals(Optional.empty(), d.imageShape());
        assertEquals(Optional.empty(), d.head(1).imageShape());
        assertEquals("Dataset[1 samples × 2 features, 1 classes]", d.toString());
    }

    @Test
    void theShapeMustHoldTheFeatures() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Dataset(new float[6], new int[]{0, 0}, 3, 1, SHAPE));
        assertEquals("image shape 1×2×2 holds 4 values, but samples have 3 features", e.getMessage());
        Dataset plain = new Dataset(new float[6], new int[]{0, 0}, 3, 1);
        assertThrows(IllegalArgumentException.class, () -> plain.withImageShape(SHAPE));
    }

    @Test
    void withImageShapeSharesTheArrays() {
        Dataset plain = new Dataset(new float[8], new int[]{0, 1}, 4, 2);
        Dataset d = plain.withImageShape(new ImageShape(4, 1, 1));
        assertEquals(Optional.of(new ImageShape(4, 1, 1)), d.imageShape());
        assertSame(plain.features(), d.features());
        assertSame(plain.labels(), d.labels());
        assertEquals(Optional.empty(), plain.imageShape(), "the original is unchanged");
        assertEquals("Dataset[2 samples × 4 features (images 4×1×1), 2 classes]", d.toString());
    }

    @Test
    void headSelectAndOtherValuesKeepTheShape() {
        Dataset d = images();
        assertEquals(Optional.of(SHAPE), d.head(2).imageShape());
        Dataset s = d.select(new int[]{2, 0});
        assertEquals(Optional.of(SHAPE), s.imageShape());
        assertArrayEquals(new float[]{9, 10, 11, 12, 1, 2, 3, 4}, s.features());
        Dataset w = d.withFeatures(new float[12]);
        assertEquals(Optional.of(SHAPE), w.imageShape());
        assertSame(d.labels(), w.labels());
        assertEquals(2, w.numClasses());
    }

    @Test
    void standardisingKeepsTheShape() {
        Dataset d = images();
        Dataset s = Standardizer.fit(d).apply(d);
        assertEquals(Optional.of(SHAPE), s.imageShape());
        // Each pixel is 1, 5, 9 (+ its index) over the samples: mean 5 + k, std √(32/3).
        assertEquals((1 - 5) / (float) Math.sqrt(32 / 3.0), s.features()[0], 1e-6f);
    }

    @Test
    void fillingKeepsTheShape() {
        Dataset d = new Dataset(new float[]{1, Float.NaN, 3, 4, 5, 6, 7, 8}, new int[]{0, 1}, 4, 2, SHAPE);
        FeatureFill fill = FeatureFill.fit(FeatureFill.Policy.ZERO, d, List.of("a", "b", "c", "d"), Path.of("x.csv"));
        FeatureFill.FilledSet f = fill.apply(d);
        assertEquals(1, f.cells());
        assertEquals(Optional.of(SHAPE), f.data().imageShape());
        assertArrayEquals(new float[]{1, 0, 3, 4, 5, 6, 7, 8}, f.data().features());
    }

    @Test
    void reorderingKeepsTheShape() {
        FeatureOrder order = FeatureOrder.match(List.of("a", "b", "c", "d"), List.of("b", "a", "c", "d"),
                Path.of("x.csv"), "model m", "");
        Dataset r = order.apply(images());
        assertEquals(Optional.of(SHAPE), r.imageShape());
        assertArrayEquals(new float[]{2, 1, 3, 4}, r.row(0));
    }
}
