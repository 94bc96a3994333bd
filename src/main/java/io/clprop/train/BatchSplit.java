package io.clprop.train;

import java.util.Arrays;

/**
 * How each step's batch is shared among devices: device r trains on rows {@code first(rows)[r]} up to
 * {@code first(rows)[r + 1]} of a batch of {@code rows} rows. The cut points are the rounded cumulative
 * shares, {@code round(rows · (s₀ + … + s_{r−1}))}, so shares in proportion to the devices' speeds give each its
 * part of every batch, the last (smaller) one included, and the parts always add up to the batch. A device
 * may get no rows of a very small batch; it then sits the step out.
 */
public final class BatchSplit {
    private final double[] cumulative;

    private BatchSplit(double[] shares) {
        double total = 0;
        for (double s : shares) {
            if (!(s > 0) || !Double.isFinite(s)) {
                throw new IllegalArgumentException("a device's share of the batch must be positive and finite, got "
                        + Arrays.toString(shares));
            }
            total += s;
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
        return new BatchSplit(shares.clone());
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
