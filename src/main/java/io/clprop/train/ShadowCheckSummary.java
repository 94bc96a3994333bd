package io.clprop.train;

import io.clprop.verify.Comparison;

/**
 * A summary of the shadow check's comparisons over an epoch: the steps replayed on the CPU path and the
 * largest relative difference of each step's worst tensor, against the one step tolerance.
 */
public record ShadowCheckSummary(int steps, double maxRel, double tolerance) implements java.io.Serializable {
    /** No step checked yet. */
    static ShadowCheckSummary none(double tolerance) {
        return new ShadowCheckSummary(0, 0, tolerance);
    }

    /** This summary with one more step, whose worst comparison is {@code stepWorst}. */
    ShadowCheckSummary with(Comparison stepWorst) {
        return new ShadowCheckSummary(steps + 1, Math.max(maxRel, stepWorst.maxRel()), tolerance);
    }
}
