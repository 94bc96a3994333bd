package io.clprop.train;

import io.clprop.data.Dataset;
import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.math3.util.MathArrays;

import java.util.Arrays;

import io.clprop.util.InvalidSetting;

import static io.clprop.util.Wording.setting;

/**
 * Holds out a fraction of the training set for validation, drawn with the run's seed from a generator of
 * its own (so the training generator's stream, and thus a run without validation, is unchanged). Both
 * parts keep the data set's order.
 */
public record ValidationSplit(Dataset train, Dataset validation) {
    /** Mixed into the seed so the split's generator differs from the training one. */
    private static final long SPLIT_STREAM = 0x5EEDF00DL;

    public static ValidationSplit of(Dataset all, double fraction, long seed) {
        int n = all.size();
        int held = (int) Math.round(fraction * n);
        if (fraction > 0 && (held < 1 || held >= n)) {
            throw new InvalidSetting(setting("validation") + " " + fraction + " of " + n + " samples leaves "
                    + (held < 1 ? "no validation samples" : "no training samples"));
        }
        if (held == 0) {
            return new ValidationSplit(all, null);
        }
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) {
            perm[i] = i;
        }
        MathArrays.shuffle(perm, new Well19937c(seed ^ SPLIT_STREAM));
        int[] val = Arrays.copyOf(perm, held);
        int[] rest = Arrays.copyOfRange(perm, held, n);
        Arrays.sort(val);
        Arrays.sort(rest);
        return new ValidationSplit(all.select(rest), all.select(val));
    }
}
