package io.clprop.data;

import io.clprop.data.CsvReader.HeaderCheck;
import io.clprop.data.CsvReader.HeaderMode;
import io.clprop.data.CsvReader.Options;
import io.clprop.util.Excerpt;
import io.clprop.util.UserError;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.clprop.util.Wording.setting;

/**
 * What the columns of a CSV file are, decided from the options and its first record: whether that record is
 * a header, which column is the label (none for features only), which are kept as text
 * ({@link Options#keepColumns}), and so which are the features.
 */
final class CsvSchema {
    /** The header's cells; null when the first record is data. */
    final String[] header;
    final int columns;
    /** The label's column, or −1 when every column that is not kept is a feature. */
    final int labelIndex;
    final int featureCount;
    /** keptSlot[c]: column c's place in {@link #keptNames}, or −1; null when no column is kept. */
    final int[] keptSlot;
    /** The kept columns, in {@link Options#keepColumns} order. */
    final List<String> keptNames;

    private CsvSchema(String[] header, int columns, int labelIndex, int[] keptSlot, List<String> keptNames) {
        this.header = header;
        this.columns = columns;
        this.labelIndex = labelIndex;
        this.keptSlot = keptSlot;
        this.keptNames = keptSlot == null ? List.of() : keptNames;
        this.featureCount = columns - (labelIndex >= 0 ? 1 : 0) - this.keptNames.size();
    }

    /**
     * Refuses the options that cannot fit any file: an empty label column, columns named with
     * {@link HeaderMode#ABSENT}, a kept column named twice or not at all.
     */
    static void checkOptions(Options options) {
        String label = labelName(options);
        if (label != null && label.isEmpty()) {
            throw new UserError(setting("labelColumn") + ": empty; give a column name or a 0-based index");
        }
        if (byName(label) && options.header() == HeaderMode.ABSENT) {
            throw new UserError(setting("labelColumn") + " " + label + ": a column name needs a header row, but "
                    + setting("noHeader") + " was given; use a 0-based index");
        }
        List<String> keep = options.keepColumns();
        if (keep.isEmpty()) {
            return;
        }
        String keptBy = options.keptBy().shown();
        if (options.header() == HeaderMode.ABSENT) {
            throw new UserError(keptBy + ": columns are named by their header names, but " + setting("noHeader")
                    + " was given");
        }
        Set<String> seen = new HashSet<>();
        for (String name : keep) {
            if (name.isEmpty()) {
                throw new UserError(keptBy + ": an empty column name");
            }
            if (!seen.add(name)) {
                throw new UserError(keptBy + ": \"" + name + "\" is given twice");
            }
        }
    }

    /**
     * The schema of a file whose first record is {@code first} (on line {@code lineNo}), for options that
     * passed {@link #checkOptions}. When that record is a header, {@code errors} name columns by it from now
     * on, and {@code check} (null: none) sees the feature names, which must then be usable as keys.
     *
     * @param withLabel whether the file has a label column: the options' one, else the last
     */
    static CsvSchema of(String[] first, int lineNo, Options options, boolean withLabel, HeaderCheck check,
                        CsvErrors errors) {
        String label = labelName(options);
        boolean byName = byName(label);
        int labelIndex = withLabel ? labelIndexFor(label, byName, first, errors) : -1;
        if (first.length - (labelIndex >= 0 ? 1 : 0) == 0) {
            throw errors.at(lineNo, 0, "no feature columns: the only column is the label");
        }
        boolean keeping = !options.keepColumns().isEmpty();
        boolean isHeader = switch (options.header()) {
            case PRESENT -> true;
            case ABSENT -> false;
            case AUTO -> byName || keeping || looksLikeHeader(first, labelIndex);
        };
        if (!isHeader) {
            return new CsvSchema(null, first.length, labelIndex, null, List.of());
        }
        errors.nameColumnsBy(first);
        if (byName) {
            labelIndex = indexOfName(label, first, lineNo, errors);
        }
        int[] keptSlot = keeping ? keptSlots(options, first, labelIndex, lineNo, errors) : null;
        CsvSchema schema = new CsvSchema(first, first.length, labelIndex, keptSlot, options.keepColumns());
        if (schema.featureCount == 0) {
            throw errors.at(lineNo, 0, "no feature columns left once the label and the " + options.keptBy().shown()
                    + " are left out");
        }
        if (check != null) {
            schema.checkFeatureNames(lineNo, errors);
            check.check(schema.featureNames());
        }
        return schema;
    }

    boolean isFeature(int c) {
        return c != labelIndex && (keptSlot == null || keptSlot[c] < 0);
    }

    /** The header's cells of the feature columns (not the label's, not the kept ones); empty without a header. */
    List<String> featureNames() {
        if (header == null) {
            return List.of();
        }
        List<String> names = new ArrayList<>(featureCount);
        for (int c = 0; c < header.length; c++) {
            if (isFeature(c)) {
                names.add(header[c]);
            }
        }
        return names;
    }

    /** For messages about a feature: "column 3 ("b")", or "column 3" without a header. */
    List<String> featureColumns() {
        List<String> out = new ArrayList<>(featureCount);
        for (int c = 0; c < columns; c++) {
            if (isFeature(c)) {
                out.add("column " + (c + 1) + (header != null && !header[c].isEmpty()
                        ? " (" + Excerpt.quoted(header[c]) + ")" : ""));
            }
        }
        return out;
    }

    /** The label column as the options give it, trimmed; null when they name none. */
    private static String labelName(Options options) {
        return options.labelColumn() == null ? null : options.labelColumn().trim();
    }

    /** Whether the label column is given by a header name rather than a 0-based index. */
    private static boolean byName(String label) {
        return label != null && !CsvNumbers.isDigits(label);
    }

    /** The label's column from an index (checked against the row's width) or, for a name, a placeholder. */
    private static int labelIndexFor(String label, boolean byName, String[] cells, CsvErrors errors) {
        if (label == null) {
            return cells.length - 1;
        }
        if (byName) {
            return 0; // resolved against the header once it is known to be one (always, for names)
        }
        long k = label.length() > 9 ? Long.MAX_VALUE : Long.parseLong(label);
        if (k >= cells.length) {
            throw new UserError(setting("labelColumn") + " " + label + ": " + errors.file + " has " + cells.length
                    + " columns (indices 0.." + (cells.length - 1) + ")");
        }
        return (int) k;
    }

    private static int indexOfName(String name, String[] header, int lineNo, CsvErrors errors) {
        int at = -1;
        for (int c = 0; c < header.length; c++) {
            if (header[c].equals(name)) {
                if (at >= 0) {
                    throw errors.at(lineNo, c, "column name " + Excerpt.quoted(name) + " appears twice in the header "
                            + "(columns " + (at + 1) + " and " + (c + 1) + "); give " + setting("labelColumn")
                            + " as an index");
                }
                at = c;
            }
        }
        if (at < 0) {
            throw new UserError(setting("labelColumn") + " " + name + ": no such column in " + errors.file
                    + " (header: " + CsvErrors.shownNames(Arrays.asList(header)) + ")");
        }
        return at;
    }

    /** A first row is a header when a feature cell holds text: not a number, and not a missing value. */
    private static boolean looksLikeHeader(String[] cells, int labelIndex) {
        for (int c = 0; c < cells.length; c++) {
            String s = cells[c];
            if (c != labelIndex && !s.isEmpty() && !CsvNumbers.isNumber(s) && !CsvNumbers.isNonFiniteWord(s)
                    && !s.equals(CsvReader.MISSING_WORD)) {
                return true;
            }
        }
        return false;
    }

    /** Finds the kept columns in the header: every name once, none the label column. */
    private static int[] keptSlots(Options options, String[] header, int labelIndex, int lineNo, CsvErrors errors) {
        List<String> keep = options.keepColumns();
        String keptBy = options.keptBy().shown();
        int[] keptSlot = new int[header.length];
        Arrays.fill(keptSlot, -1);
        List<String> unknown = new ArrayList<>();
        for (int k = 0; k < keep.size(); k++) {
            String name = keep.get(k);
            int at = -1;
            for (int c = 0; c < header.length; c++) {
                if (header[c].equals(name)) {
                    if (at >= 0) {
                        throw errors.at(lineNo, c, "column name " + Excerpt.quoted(name) + " appears twice in the "
                                + "header (columns " + (at + 1) + " and " + (c + 1) + "), so " + keptBy
                                + " cannot tell which is meant");
                    }
                    at = c;
                }
            }
            if (at < 0) {
                unknown.add("\"" + name + "\"");
            } else if (at == labelIndex) {
                throw new UserError(keptBy + " " + name + ": it is the " + setting("labelColumn") + "; the label is "
                        + "left out of the features already, so name it only with " + setting("labelColumn"));
            } else {
                keptSlot[at] = k;
            }
        }
        if (!unknown.isEmpty()) {
            throw new UserError(keptBy + ": no column " + String.join(", ", unknown) + " in " + errors.file
                    + " (header: " + CsvErrors.shownNames(Arrays.asList(header)) + ")");
        }
        return keptSlot;
    }

    /** Feature names that are to be matched by name must each be there and be distinct. */
    private void checkFeatureNames(int lineNo, CsvErrors errors) {
        Map<String, Integer> seen = new HashMap<>();
        for (int c = 0; c < header.length; c++) {
            if (!isFeature(c)) {
                continue;
            }
            if (header[c].isEmpty()) {
                throw new UserError(errors.file + ":" + lineNo + ":" + (c + 1) + ": a feature column without a name "
                        + "in the header; features are matched by name, so each needs one" + (c == 0
                        ? " (an unnamed first column is often a pandas index: write it with to_csv(..., index=False))"
                        : ""));
            }
            Integer before = seen.putIfAbsent(header[c], c);
            if (before != null) {
                throw new UserError(errors.file + ":" + lineNo + ":" + (c + 1) + ": column name "
                        + Excerpt.quoted(header[c]) + " appears twice in the header (columns " + (before + 1) + " and "
                        + (c + 1) + "); features are matched by name, so each needs its own");
            }
        }
    }
}
