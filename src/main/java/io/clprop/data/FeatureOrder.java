package io.clprop.data;

import io.clprop.util.Excerpt;
import io.clprop.util.UserError;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a CSV file's feature columns line up with the feature names a model (or a training set) expects: by
 * name when both sides have names, so that columns in another order are put back in the expected order and
 * missing, renamed or extra columns are refused; by position, as the file stands, when either side has none.
 */
public final class FeatureOrder {
    /** How the columns were matched. */
    public enum Outcome {
        /** Nothing to match against (no expected names): the columns are taken as they stand. */
        POSITIONAL,
        /** Expected names but a file without a header: taken as they stand, unchecked. */
        UNCHECKED,
        /** The same names in the same order. */
        SAME,
        /** The same names in another order: the columns are reordered to the expected order. */
        REORDERED
    }

    private static final int SHOWN = 5;

    private final Outcome outcome;
    /** source[j]: the file's feature column that holds expected feature j; null unless REORDERED. */
    private final int[] source;

    private FeatureOrder(Outcome outcome, int[] source) {
        this.outcome = outcome;
        this.source = source;
    }

    /**
     * Matches a file's feature column names against the expected ones.
     *
     * @param expected the names in the order the network takes them; empty: nothing to check
     * @param actual   the file's feature column names in file order (distinct: see {@link CsvReader.HeaderCheck});
     *                 empty when the file has no header
     * @param whose    for the message, e.g. "model iris.clprop" or "the training set train.csv"
     * @param hint     appended to the message when the file has columns that are not expected ("" for none)
     * @throws UserError naming {@code file} and the first missing and unexpected names when they differ
     */
    public static FeatureOrder match(List<String> expected, List<String> actual, Path file, String whose, String hint) {
        if (expected.isEmpty()) {
            return new FeatureOrder(Outcome.POSITIONAL, null);
        }
        if (actual.isEmpty()) {
            return new FeatureOrder(Outcome.UNCHECKED, null);
        }
        Map<String, Integer> at = new HashMap<>();
        for (int c = 0; c < actual.size(); c++) {
            at.putIfAbsent(actual.get(c), c);
        }
        List<String> missing = new ArrayList<>();
        for (String name : expected) {
            if (!at.containsKey(name)) {
                missing.add(name);
            }
        }
        Set<String> wanted = new HashSet<>(expected);
        List<String> unexpected = actual.stream().filter(n -> !wanted.contains(n)).toList();
        if (!missing.isEmpty() || !unexpected.isEmpty()) {
            List<String> parts = new ArrayList<>();
            if (!missing.isEmpty()) {
                parts.add("missing " + show(missing));
            }
            if (!unexpected.isEmpty()) {
                parts.add("unknown " + show(unexpected));
            }
            throw new UserError(file + ": the columns do not match the features of " + whose + ": "
                    + String.join("; ", parts) + (unexpected.isEmpty() ? "" : hint));
        }
        if (actual.size() != expected.size()) {
            // Only when the file repeats a name, which its header check refuses; never guess which one is meant.
            throw new UserError(file + ": " + actual.size() + " feature columns for the " + expected.size()
                    + " features of " + whose);
        }
        int[] source = new int[expected.size()];
        boolean same = true;
        for (int j = 0; j < source.length; j++) {
            source[j] = at.get(expected.get(j));
            same &= source[j] == j;
        }
        return same ? new FeatureOrder(Outcome.SAME, null) : new FeatureOrder(Outcome.REORDERED, source);
    }

    /**
     * A header check that refuses a file as soon as its header is read (before its rows are parsed) when
     * {@link #match} would; null when there are no expected names (the file is read as it stands, unchecked).
     */
    public static CsvReader.HeaderCheck check(List<String> expected, Path file, String whose, String hint) {
        return expected.isEmpty() ? null : names -> match(expected, names, file, whose, hint);
    }

    public Outcome outcome() {
        return outcome;
    }

    /** {@code rows} samples of the file's features, row-major, in the expected order (the same array if it is). */
    public float[] apply(float[] values, int rows) {
        if (source == null) {
            return values;
        }
        int d = source.length;
        if (values.length != (long) rows * d) {
            throw new IllegalArgumentException(values.length + " values for " + rows + " rows of " + d);
        }
        float[] out = new float[values.length];
        for (int i = 0; i < rows; i++) {
            int row = i * d;
            for (int j = 0; j < d; j++) {
                out[row + j] = values[row + source[j]];
            }
        }
        return out;
    }

    /** The data set with its features in the expected order (the same one if they are). */
    public Dataset apply(Dataset data) {
        if (source == null) {
            return data;
        }
        return data.withFeatures(apply(data.features(), data.size()));
    }

    private static String show(List<String> names) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < Math.min(SHOWN, names.size()); k++) {
            sb.append(k == 0 ? "" : ", ").append(Excerpt.quoted(names.get(k)));
        }
        return names.size() > SHOWN ? sb + ", … (" + names.size() + " in all)" : sb.toString();
    }
}
