package io.clprop.verify;

/**
 * One device-vs-host comparison. {@code maxRel} is the largest |device − host| divided by that element's
 * magnitude bound (e.g. Σ|a||b| for a dot product), so it is comparable with {@code tol}, a multiple of the
 * float32 unit roundoff u = 2⁻²⁴ derived for that kernel.
 */
public record CheckResult(String kernel, String shape, double maxAbs, double maxRel, double tol) {
    public boolean pass() {
        return maxRel <= tol && !Double.isNaN(maxRel);
    }

    public String row() {
        return String.format("%-22s %-16s %10.3e %10.3e %10.3e  %s", kernel, shape, maxAbs, maxRel, tol,
                pass() ? "PASS" : "FAIL");
    }
}
