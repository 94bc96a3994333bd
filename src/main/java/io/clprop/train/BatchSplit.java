package io.clprop.train;

import java.util.Arrays;

/**
 * How each step's batch is shared among devices: device r trains on rows {@code first(rows)[r]} up to
 * {@code first(rows)[r + 1]} of a batch of {@code rows} rows. The cut points are the rounded cumulative
 * shares, {@code round(rows · (s₀ + … + s_{r−1}))}, so shares in proportion to the devices' speeds give each its
 * part of every batch, the last (smaller) one included, and the parts always add up to the batch. A device
 * may get no rows of a very small batch; it then sits the step out. A share may be 0 (a device too slow to
 * help, see {@link #forCosts}): that device sits out every step.
 */
public final class BatchSplit {
    private final double[] cumulative;

    private BatchSplit(double[] shares) {
        double total = 0;
        for (double s : shares) {
            if (!(s >= 0) || !Double.isFinite(s)) {
                throw new IllegalArgumentException("a device's share of the batch must be finite and not negative, got "
                        + Arrays.toString(shares));
            }
            total += s;
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException("at least one device needs a share of the batch, got "
                    + Arrays.toString(shares));
        }
        cumulative = new double[shares.length + 1];
        for (int r = 0; r < shares.length; r++) {
            cumulative[r + 1] = cumulative[r] + shares[r] / total;
        }
        cumulative[shares.length] = 1;
    }

    /** Equal shares for {@code devices} devices. */
    public static BatchSplit even(int devices) {
        double[] s = new double[devices];
        Arrays.fill(s, 1);
        return new BatchSplit(s);
    }

    /** Shares in these proportions (e.g. each device's measured samples per second); normalised here. */
    public static BatchSplit proportional(double... shares) {
        for (double s : shares) {
            if (!(s > 0)) {
                throw new IllegalArgumentException("proportions must be positive, got " + Arrays.toString(shares));
            }
        }
        return new BatchSplit(shares.clone());
    }

    /**
     * The shares that finish a batch of {@code rows} rows soonest when device r takes {@code fixed[r] +
     * perRow[r]·b} to compute b rows (a step's launches cost time whatever their rows, then each row): every
     * device that takes part ends at the same time T, the smallest for which Σ_r max(0, (T − fixed[r]) /
     * perRow[r]) rows reach the batch. A device whose fixed cost alone exceeds T gets share 0: giving it any
     * rows would make every step wait for it. Found by bisection on T (60 halvings of [0, the fastest device
     * alone], far below a microsecond).
     */
    public static BatchSplit forCosts(double[] fixed, double[] perRow, int rows) {
        if (fixed.length != perRow.length || fixed.length == 0 || rows < 1) {
            throw new IllegalArgumentException(fixed.length + " fixed costs, " + perRow.length + " per-row costs, "
                    + rows + " rows");
        }
        double hi = Double.POSITIVE_INFINITY;
        for (int r = 0; r < fixed.length; r++) {
            if (!(fixed[r] >= 0) || !(perRow[r] > 0) || !Double.isFinite(fixed[r]) || !Double.isFinite(perRow[r])) {
                throw new IllegalArgumentException("costs must be finite, fixed ≥ 0 and per row > 0: fixed "
                        + Arrays.toString(fixed) + ", per row " + Arrays.toString(perRow));
            }
            hi = Math.min(hi, fixed[r] + perRow[r] * rows);
        }
        double lo = 0;
        for (int i = 0; i < 60; i++) {
            double t = (lo + hi) / 2;
            if (rowsDoneBy(t, fixed, perRow) >= rows) {
                hi = t;
            } else {
                lo = t;
            }
        }
        double[] shares = new double[fixed.length];
        for (int r = 0; r < shares.length; r++) {
            shares[r] = Math.max(0, (hi - fixed[r]) / perRow[r]);
        }
        return new BatchSplit(shares);
    }

    private static double rowsDoneBy(double t, double[] fixed, double[] perRow) {
        double sum = 0;
        for (int r = 0; r < fixed.length; r++) {
            sum += Math.max(0, (t - fixed[r]) / perRow[r]);
        }
        return sum;
    }

    public int devices() {
        return cumulative.length - 1;
    }

    /** Each device's share of the batch, summing to 1. */
    public double[] shares() {
        double[] s = new double[devices()];
        for (int r = 0; r < s.length; r++) {
            s[r] = cumulative[r + 1] - cumulative[r];
        }
        return s;
    }

    /** The cut points for a batch of {@code rows} rows: devices()+1 rows, from 0 to {@code rows}, not decreasing. */
    public int[] first(int rows) {
        int[] f = new int[cumulative.length];
        for (int r = 0; r < f.length; r++) {
            f[r] = (int) Math.round(rows * cumulative[r]);
        }
        f[f.length - 1] = rows;
        return f;
    }

    @Override
    public String toString() {
        double[] s = shares();
        StringBuilder sb = new StringBuilder();
        for (int r = 0; r < s.length; r++) {
            sb.append(r == 0 ? "" : " : ").append(String.format("%.3f", s[r]));
        }
        return sb.toString();
    }
}
