package io.clprop.train;

import io.clprop.data.Dataset;
import io.clprop.util.ImageShape;
import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Both parts of a validation split are images of the data set's shape. */
class ValidationSplitShapeTest {
    @Test
    void bothPartsKeepTheImageShape() {
        ImageShape shape = new ImageShape(2, 1, 3);
        int n = 10;
        Dataset all = new Dataset(new float[n * 6], new int[n], 6, 2, shape);
        ValidationSplit s = ValidationSplit.of(all, 0.3, 5);
        assertEquals(3, s.validation().size());
        assertEquals(Optional.of(shape), s.train().imageShape());
        assertEquals(Optional.of(shape), s.validation().imageShape());
        assertSame(all, ValidationSplit.of(all, 0, 5).train(), "no split: the set itself, shape and all");
    }
}
