package io.clprop.data;

import java.util.Arrays;

/**
 * Per-feature standardisation x' = (x − mean) / std, with mean and std computed on the training set and
 * kept (in the model file) so that evaluation and prediction transform their inputs exactly as training did.
 * A feature that is constant in the training set has std 0; it gets std 1 instead, so it passes through
 * shifted to 0 rather than dividing by zero.
 */
public final class Standardizer {
    private final float[] mean;
    private final float[] std;

    /** @param std every element positive and finite */
    public Standardizer(float[] mean, float[] std) {
        if (mean.length != std.length || mean.length == 0) {
            throw new IllegalArgumentException(mean.length + " means and " + std.length + " standard deviations");
        }
        for (int j = 0; j < mean.length; j++) {
            if (!Float.isFinite(mean[j])) {
                throw new IllegalArgumentException("feature " + j + ": mean " + mean[j] + " is not finite");
            }
            if (!(std[j] > 0) || !Float.isFinite(std[j])) {
                throw new IllegalArgumentException("feature " + j + ": std " + std[j] + " is not a positive number");
            }
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    /**
     * Mean and population standard deviation (divided by n) of each feature, in double with two passes (the
     * mean first, then the squared deviations from it) so large offsets do not cancel the variance away.
     */
    public static Standardizer fit(Dataset train) {
        int d = train.featureCount(), n = train.size();
        if (n == 0) {
            throw new IllegalArgumentException("cannot standardise with an empty training set");
        }
        float[] x = train.features();
        double[] sum = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                sum[j] += x[i * d + j];
            }
        }
        double[] mu = new double[d];
        for (int j = 0; j < d; j++) {
            mu[j] = sum[j] / n;
        }
        double[] sq = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                double dev = x[i * d + j] - mu[j];
                sq[j] += dev * dev;
            }
        }
        float[] mean = new float[d], std = new float[d];
        for (int j = 0; j < d; j++) {
            mean[j] = (float) mu[j];
            float s = (float) Math.sqrt(sq[j] / n);
            // Zero for a constant feature; a float underflow to 0 of a tiny spread is treated the same way.
            std[j] = s > 0 ? s : 1f;
        }
        return new Standardizer(mean, std);
    }

    public int featureCount() {
        return mean.length;
    }

    public float[] mean() {
        return mean.clone();
    }

    public float[] std() {
        return std.clone();
    }

    /** A new, standardised copy of {@code features} (n × featureCount, row-major). */
    public float[] apply(float[] features) {
        if (features.length % mean.length != 0) {
            throw new IllegalArgumentException(features.length + " values are not rows of " + mean.length + " features");
        }
        float[] out = new float[features.length];
        int d = mean.length;
        for (int k = 0; k < features.length; k++) {
            int j = k % d;
            out[k] = (float) (((double) features[k] - mean[j]) / std[j]);
        }
        return out;
    }

    /** The same samples and labels with standardised features. */
    public Dataset apply(Dataset data) {
        if (data.featureCount() != mean.length) {
            throw new IllegalArgumentException("data has " + data.featureCount() + " features, the standardiser "
                    + mean.length);
        }
        return data.withFeatures(apply(data.features()));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Standardizer s && Arrays.equals(mean, s.mean) && Arrays.equals(std, s.std);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return "Standardizer[" + mean.length + " features]";
    }
}
