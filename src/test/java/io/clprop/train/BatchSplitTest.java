package io.clprop.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The cut points of a batch shared among devices, against hand-computed values. */
class BatchSplitTest {

    @Test
    void evenSharesCutAtRoundedThirds() {
        assertArrayEquals(new int[]{0, 11, 21, 32}, BatchSplit.even(3).first(32));
        assertArrayEquals(new int[]{0, 0, 1, 1}, BatchSplit.even(3).first(1));
        assertArrayEquals(new int[]{0, 5}, BatchSplit.even(1).first(5));
    }

    @Test
    void devicesWithoutFixedCostsShareInProportionToSpeed() {
        // 1 and 3 ms a row: both finish at T = 96 ms with 96 and 32 rows.
        assertArrayEquals(new double[]{0.75, 0.25}, BatchSplit.forCosts(new double[]{0, 0}, new double[]{1, 3}, 128)
                .shares(), 1e-12);
    }

    @Test
    void aFixedCostTakesRowsAwayUntilBothFinishTogether() {
        // 2 ms + 0.1 ms a row and 0.1 ms a row: (T − 2)/0.1 + T/0.1 = 100 gives T = 6, so 40 and 60 rows.
        BatchSplit s = BatchSplit.forCosts(new double[]{2, 0}, new double[]{0.1, 0.1}, 100);
        assertArrayEquals(new double[]{0.4, 0.6}, s.shares(), 1e-12);
        assertArrayEquals(new int[]{0, 40, 100}, s.first(100));
    }

    @Test
    void aDeviceWhoseFixedCostExceedsTheOthersStepGetsNoRows() {
        // 1 ms + 10 µs a row does 128 rows in 2.28 ms; 60 ms of fixed cost alone is longer.
        BatchSplit s = BatchSplit.forCosts(new double[]{1, 60}, new double[]{0.01, 0.001}, 128);
        assertArrayEquals(new double[]{1, 0}, s.shares(), 1e-12);
        assertArrayEquals(new int[]{0, 128, 128}, s.first(128));
    }

    @Test
    void badSharesAndCostsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> BatchSplit.proportional(1, 0));
        assertThrows(IllegalArgumentException.class, () -> BatchSplit.proportional(1, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> BatchSplit.forCosts(new double[]{0}, new double[]{0}, 8));
        assertThrows(IllegalArgumentException.class, () -> BatchSplit.forCosts(new double[]{-1}, new double[]{1}, 8));
        assertThrows(IllegalArgumentException.class, () -> BatchSplit.forCosts(new double[]{0, 0}, new double[]{1}, 8));
    }
}
