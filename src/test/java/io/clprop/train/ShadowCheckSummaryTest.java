package io.clprop.train;

import io.clprop.verify.Comparison;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ShadowCheckSummaryTest {
    @Test
    void countsStepsAndKeepsTheLargestRelativeDifference() {
        ShadowCheckSummary s = ShadowCheckSummary.none(1e-3)
                .with(new Comparison("gradient", "W1", 1e-6, 2e-5, 0.05, 1e-3))
                .with(new Comparison("updated parameter", "b2", 1e-7, 1e-6, 0.1, 1e-3));
        assertEquals(new ShadowCheckSummary(2, 2e-5, 1e-3), s);
        assertEquals(new ShadowCheckSummary(0, 0, 1e-3), ShadowCheckSummary.none(1e-3));
    }
}
