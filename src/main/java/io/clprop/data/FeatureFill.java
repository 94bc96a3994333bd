package io.clprop.data;

import io.clprop.util.UserError;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import static io.clprop.util.Wording.setting;

/**
 * The values missing feature cells are replaced by, one per feature, fixed on the training set and stored in
 * the model file so that evaluation and prediction fill exactly as training did. {@link CsvReader} reads a
 * missing cell (empty, or the literal NA) as NaN when it is allowed to (it refuses NaN written as text), so a
 * NaN in the data it returns is exactly a missing cell.
 */
public final class FeatureFill {
    /** What the {@code missing} setting asks for. ERROR has no fill values: a missing cell is refused where read. */
    public enum Policy {
        ERROR, MEAN, ZERO;

        public String specName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The policy named {@code s} (error, mean or zero). */
        public static Policy parse(String s) {
            for (Policy p : values()) {
                if (p.specName().equals(s)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("unknown missing-value policy '" + s + "' (expected error, mean or zero)");
        }
    }

    /** Values with their missing cells filled, and how many there were. */
    public record Filled(float[] values, long cells) {
    }

    /** A data set with its missing cells filled, and how many there were. */
    public record FilledSet(Dataset data, long cells) {
    }

    private final Policy policy;
    private final float[] values;

    /**
     * @param policy MEAN or ZERO
     * @param values one finite value per feature; all 0 for ZERO
     */
    public FeatureFill(Policy policy, float[] values) {
        if (policy == Policy.ERROR) {
            throw new IllegalArgumentException("the error policy has no fill values");
        }
        if (values.length == 0) {
            throw new IllegalArgumentException("no fill values");
        }
        for (int j = 0; j < values.length; j++) {
            if (!Float.isFinite(values[j])) {
                throw new IllegalArgumentException("feature " + j + ": fill value " + values[j] + " is not finite");
            }
            if (policy == Policy.ZERO && values[j] != 0) {
                throw new IllegalArgumentException("feature " + j + ": fill value " + values[j] + " for policy zero");
            }
        }
        this.policy = policy;
        this.values = values.clone();
    }

    /**
     * The fill values of {@code policy} for a training set whose missing cells are NaN: MEAN, each feature's
     * mean over its non-missing values (summed in double); ZERO, zeros.
     *
     * @param columns one description per feature for messages, e.g. {@code column 3 ("petal_width")}
     * @param file    the training file, for messages
     * @throws UserError for MEAN when a feature has no value at all
     */
    public static FeatureFill fit(Policy policy, Dataset train, List<String> columns, Path file) {
        int d = train.featureCount(), n = train.size();
        if (policy == Policy.ZERO) {
            return new FeatureFill(policy, new float[d]);
        }
        if (policy != Policy.MEAN) {
            throw new IllegalArgumentException("no fill values for policy " + policy);
        }
        float[] x = train.features();
        double[] sum = new double[d];
        long[] count = new long[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                float v = x[i * d + j];
                if (!Float.isNaN(v)) {
                    sum[j] += v;
                    count[j]++;
                }
            }
        }
        float[] mean = new float[d];
        for (int j = 0; j < d; j++) {
            if (count[j] == 0) {
                throw new UserError(file + ": " + (j < columns.size() ? columns.get(j) : "feature " + (j + 1))
                        + " has no values in the training set (every cell is empty or NA), so " + setting("missing")
                        + " mean has no mean to fill it with; fill the column in or remove it");
            }
            // The mean of floats lies within their range, so it is finite as a float too.
            mean[j] = (float) (sum[j] / count[j]);
        }
        return new FeatureFill(policy, mean);
    }

    public Policy policy() {
        return policy;
    }

    public int featureCount() {
        return values.length;
    }

    public float[] values() {
        return values.clone();
    }

    /** {@code x} (rows of featureCount values) with each NaN replaced by its feature's value; x is not changed. */
    public Filled apply(float[] x) {
        if (x.length % values.length != 0) {
            throw new IllegalArgumentException(x.length + " values are not rows of " + values.length + " features");
        }
        float[] out = null;
        long cells = 0;
        int d = values.length;
        for (int k = 0; k < x.length; k++) {
            if (Float.isNaN(x[k])) {
                if (out == null) {
                    out = x.clone();
                }
                out[k] = values[k % d];
                cells++;
            }
        }
        return new Filled(out == null ? x : out, cells);
    }

    /** The data set with its missing cells filled, and how many there were. */
    public FilledSet apply(Dataset data) {
        if (data.featureCount() != values.length) {
            throw new IllegalArgumentException("data has " + data.featureCount() + " features, the fill " + values.length);
        }
        Filled f = apply(data.features());
        return new FilledSet(f.values() == data.features() ? data
                : data.withFeatures(f.values()), f.cells());
    }

    /** How the cells were filled, for a report line: "the training means" or "0". */
    public String describe() {
        return policy == Policy.MEAN ? "the training means" : "0";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureFill f && policy == f.policy && Arrays.equals(values, f.values);
    }

    @Override
    public int hashCode() {
        return 31 * policy.hashCode() + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "FeatureFill[" + policy.specName() + ", " + values.length + " features]";
    }
}
