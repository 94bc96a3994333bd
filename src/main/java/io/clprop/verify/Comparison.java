package io.clprop.verify;

import java.util.List;
import java.util.function.IntToDoubleFunction;

/**
 * One comparison of computed values with a reference, the result every check in this package reports (a
 * kernel against its CPU twin, a training step against its CPU replay, gradients against finite
 * differences), after llm.c's single {@code validate_result}.
 *
 * <p>{@code what} was compared {@code where} (a kernel and its shape, a buffer and its tensor). An element's
 * error is |actual − reference|, and its relative error that divided by the element's error scale, the
 * magnitude the check's tolerance is derived against (Σ|a||b| for a dot product, a tensor's largest
 * element, …). {@code maxAbs} and {@code maxRel} are the largest of each over the elements; {@code scale}
 * is the error scale where the largest relative error occurs (0 when no element differs). A NaN on either
 * side, or a difference of infinities, is an infinite error: every check's inputs are finite, so a NaN is
 * never the right answer.
 */
public record Comparison(String what, String where, double maxAbs, double maxRel, double scale, double tolerance) {
    /** The float32 unit roundoff 2⁻²⁴, the unit every tolerance of the checks is written in. */
    public static final double U = Math.scalb(1.0, -24);

    /** The error scale of element {@code i}, given both values there. */
    @FunctionalInterface
    public interface Scale {
        double at(int i, double actual, double reference);

        /** Element i's own bound. */
        static Scale of(double[] bounds) {
            return (i, a, r) -> bounds[i];
        }

        /** One scale for every element. */
        static Scale constant(double s) {
            return (i, a, r) -> s;
        }
    }

    public boolean passed() {
        return maxRel <= tolerance;
    }

    /** The line of verify's table: what, where, max_abs, max_rel, tolerance, PASS or FAIL. */
    public String row() {
        return String.format("%-22s %-16s %10.3e %10.3e %10.3e  %s", what, where, maxAbs, maxRel, tolerance,
                passed() ? "PASS" : "FAIL");
    }

    /** Elements [from, to) of {@code actual} against {@code reference}. */
    public static Comparison of(String what, String where, float[] actual, float[] reference, int from, int to,
                                Scale scale, double tolerance) {
        return of(what, where, i -> actual[i], i -> reference[i], from, to, scale, tolerance);
    }

    /** Elements [from, to) of {@code actual} against {@code reference}. */
    public static Comparison of(String what, String where, double[] actual, double[] reference, int from, int to,
                                Scale scale, double tolerance) {
        return of(what, where, i -> actual[i], i -> reference[i], from, to, scale, tolerance);
    }

    /**
     * Elements [from, to) measured against the largest |reference| among them: a float32 result whose
     * rounding error grows with the largest element it is built from, such as a tensor of a training step.
     */
    public static Comparison relativeToLargest(String what, String where, float[] actual, float[] reference,
                                               int from, int to, double tolerance) {
        double largest = 0;
        for (int i = from; i < to; i++) {
            largest = Math.max(largest, Math.abs(reference[i]));
        }
        return of(what, where, actual, reference, from, to, Scale.constant(largest), tolerance);
    }

    /**
     * The outcome of an exact comparison (integers, masks, flags) in which {@code mismatches} elements
     * differ: reported as max_abs, any mismatch an infinite relative error, the tolerance 0.
     */
    public static Comparison exact(String what, String where, int mismatches) {
        return new Comparison(what, where, mismatches, mismatches == 0 ? 0 : Double.POSITIVE_INFINITY, 0, 0);
    }

    /** The one of the two further beyond (or less within) its tolerance; {@code a} on a tie. */
    public static Comparison worst(Comparison a, Comparison b) {
        return a.maxRel / Math.max(a.tolerance, Double.MIN_VALUE) >= b.maxRel / Math.max(b.tolerance, Double.MIN_VALUE)
                ? a : b;
    }

    /** The worst of a non-empty list (see {@link #worst(Comparison, Comparison)}), the first of equals. */
    public static Comparison worst(List<Comparison> comparisons) {
        Comparison w = comparisons.get(0);
        for (Comparison c : comparisons) {
            w = worst(w, c);
        }
        return w;
    }

    private static Comparison of(String what, String where, IntToDoubleFunction actual, IntToDoubleFunction reference,
                                 int from, int to, Scale scale, double tolerance) {
        double maxAbs = 0, maxRel = 0, worstScale = 0;
        for (int i = from; i < to; i++) {
            double a = actual.applyAsDouble(i), r = reference.applyAsDouble(i);
            double err = Math.abs(a - r);
            if (Double.isNaN(err)) {
                err = Double.POSITIVE_INFINITY;
            }
            maxAbs = Math.max(maxAbs, err);
            if (err == 0) {
                continue;
            }
            double s = scale.at(i, a, r);
            double rel = s == 0 ? Double.POSITIVE_INFINITY : err / s;
            if (Double.isNaN(rel)) {
                rel = Double.POSITIVE_INFINITY;
            }
            if (rel > maxRel) {
                maxRel = rel;
                worstScale = s;
            }
        }
        return new Comparison(what, where, maxAbs, maxRel, worstScale, tolerance);
    }
}
