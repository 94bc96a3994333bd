package io.clprop.data;

import io.clprop.util.Excerpt;
import io.clprop.util.UserError;

import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Numeric CSV data: comma-separated feature columns and (for labelled data) one label column, UTF-8, one
 * sample per record. Records end at line breaks (LF, CRLF or CR) outside quotes; blank lines between records
 * are skipped. Cells may be double-quoted (RFC 4180): "" inside quotes is a quote, and a quoted cell may hold
 * line breaks, which are part of its text. Every problem is a one-line {@link UserError}
 * "file:line:column: problem", the line being the one the record starts on and the column counted from 1
 * (the cell number, not the character position).
 *
 * <p>A missing feature cell (empty, or the literal NA) is refused, or read as NaN for a {@link FeatureFill}
 * when the options allow it; NaN written as text stays an error, so a NaN in the result is a missing cell.
 *
 * <p>Labels: when every label is a non-negative integer ("3", or "3.0") the classes are 0..max; otherwise
 * the distinct label strings, sorted, are the classes and their names. A second file (a test set, or data
 * for a saved model) is read against the first one's classes.
 */
public final class CsvReader {
    /** More output units than this is almost certainly an ID column chosen as the label. */
    public static final int MAX_CLASSES = 65536;

    /**
     * The longest record, in characters (16 Mi): a line, or the lines a quoted cell stretches over. Beyond it
     * a line is refused and a quote is taken as never closed, rather than reading the rest of a large file
     * into memory to find that out. A record of 100 000 numbers of 20 characters takes an eighth of it.
     */
    public static final int MAX_RECORD_CHARS = 1 << 24;

    /**
     * The most columns a file may have (1 Mi): far wider than the data this trainer is for (an MNIST image is
     * 784 inputs), and a bound on what a row of commas costs (a String per cell) before its width is refused.
     */
    public static final int MAX_COLUMNS = 1 << 20;

    /** The text of a cell that is a missing value, as R and many exports write it (an empty cell is too). */
    public static final String MISSING_WORD = "NA";

    public enum HeaderMode { AUTO, PRESENT, ABSENT }

    /**
     * @param header      whether the first row is a header; AUTO: it is when a feature cell of the first row is
     *                    non-empty and not a number, or when the label column is given by name
     * @param labelColumn a header name, or a 0-based index (digits); null: the last column for labelled data,
     *                    none for {@link #readFeatures}
     * @param missing     whether a missing feature cell is read (as NaN) or refused
     * @param keepColumns header names of columns that are neither features nor the label, whose cells are
     *                    kept as text ({@link Features#kept}); they make the first row a header
     * @param keepOption  the option that named them, for messages ("--keep-columns", "--ignore-columns")
     */
    public record Options(HeaderMode header, String labelColumn, Missing missing, List<String> keepColumns,
                          String keepOption) {
        public Options {
            missing = missing == null ? Missing.REFUSED : missing;
            keepColumns = List.copyOf(keepColumns);
            keepOption = keepOption == null ? "--keep-columns" : keepOption;
        }

        public Options(HeaderMode header, String labelColumn) {
            this(header, labelColumn, Missing.REFUSED, List.of(), null);
        }

        public static Options defaults() {
            return new Options(HeaderMode.AUTO, null);
        }

        public Options withMissing(Missing m) {
            return new Options(header, labelColumn, m, keepColumns, keepOption);
        }

        public Options withKeepColumns(List<String> names) {
            return new Options(header, labelColumn, missing, names, keepOption);
        }

        /** Columns left out of the features, named by {@code option} in messages. */
        public Options withKeepColumns(List<String> names, String option) {
            return new Options(header, labelColumn, missing, names, option);
        }
    }

    /**
     * What a missing feature cell (empty, or {@value #MISSING_WORD}) is: read as NaN, to be filled by a
     * {@link FeatureFill} (allowed), or an error at its position whose message goes on with {@code refusal}.
     */
    public record Missing(boolean allowed, String refusal) {
        public static final Missing ALLOWED = new Missing(true, "");
        public static final Missing REFUSED = new Missing(false,
                "which --missing error (the default) refuses; train with --missing mean or zero to fill it");

        /** Refused, the message going on with {@code refusal} (e.g. "but model m.clprop has no fill values"). */
        public static Missing refused(String refusal) {
            return new Missing(false, refusal);
        }
    }

    /**
     * The classes labels are mapped to: indices 0..count−1 with no names, or one name per index.
     *
     * @param whose for messages, e.g. "the model's classes"
     */
    public record Classes(int count, List<String> names, String whose) {
        public Classes {
            names = List.copyOf(names);
            if (!names.isEmpty() && names.size() != count) {
                throw new IllegalArgumentException(names.size() + " names for " + count + " classes");
            }
        }

        public boolean named() {
            return !names.isEmpty();
        }

        String describe() {
            if (!named()) {
                return count == 1 ? "0" : "0.." + (count - 1);
            }
            return shownNames(names);
        }
    }

    /**
     * Labelled samples and the classes their labels were mapped to.
     *
     * @param featureNames   the header's names of the feature columns, in column order, the label column left
     *                       out; empty when the file has no header
     * @param featureColumns one description per feature, for messages: {@code column 3 ("petal_width")}, or
     *                       {@code column 3} without a header
     */
    public record Labelled(Dataset data, Classes classes, List<String> featureNames, List<String> featureColumns) {
        public Labelled {
            featureNames = List.copyOf(featureNames);
            featureColumns = List.copyOf(featureColumns);
        }
    }

    /**
     * Unlabelled samples (for prediction): {@code rows × featureCount} values, row-major.
     *
     * @param featureNames as in {@link Labelled}: the header's feature column names, empty without a header
     * @param keptNames    the columns of {@link Options#keepColumns}, in that order (empty: none)
     * @param kept         {@code rows × keptNames.size()} cells of those columns, row-major, as text
     */
    public record Features(float[] values, int rows, int featureCount, List<String> featureNames,
                           List<String> keptNames, String[] kept) {
        public Features {
            featureNames = List.copyOf(featureNames);
            keptNames = List.copyOf(keptNames);
        }
    }

    /**
     * A caller's look at a header's feature names before any data row is read, so a file whose columns are
     * wrong is refused at once rather than after parsing it (and with that message rather than one about a
     * cell of a column that should not be there). Passing one also asks for the names to be usable as keys:
     * each non-empty and distinct, else a "file:line:column" error. Not called for a file without a header.
     */
    @FunctionalInterface
    public interface HeaderCheck {
        /** Throws a {@link UserError} to refuse the file. */
        void check(List<String> featureNames);

        /** Only the names' own check (non-empty, distinct). */
        HeaderCheck NAMES_USABLE = names -> { };
    }

    private CsvReader() {
    }

    /** Labelled data whose classes are inferred from its own labels (a training set). */
    public static Labelled readLabelled(Path file, Options options) {
        return readLabelled(file, options, null);
    }

    /** Labelled data whose labels must be among {@code classes} (null: inferred from the labels). */
    public static Labelled readLabelled(Path file, Options options, Classes classes) {
        return readLabelled(file, options, classes, null);
    }

    /** {@link #readLabelled(Path, Options, Classes)} with a check of the header's feature names (null: none). */
    public static Labelled readLabelled(Path file, Options options, Classes classes, HeaderCheck check) {
        Table t = Table.read(file, options, true, check);
        Classes c = classes != null ? classes : inferClasses(t);
        int[] labels = new int[t.rows];
        for (int i = 0; i < t.rows; i++) {
            labels[i] = classOf(t, i, c);
        }
        return new Labelled(new Dataset(t.features(), labels, t.featureCount, c.count()), c, t.featureNames(),
                t.featureColumns());
    }

    /** Features only; a label column, if one is named in the options, is left out. */
    public static Features readFeatures(Path file, Options options) {
        return readFeatures(file, options, null);
    }

    /** {@link #readFeatures(Path, Options)} with a check of the header's feature names (null: none). */
    public static Features readFeatures(Path file, Options options, HeaderCheck check) {
        Table t = Table.read(file, options, options.labelColumn() != null, check);
        return new Features(t.features(), t.rows, t.featureCount, t.featureNames(), t.options.keepColumns(),
                t.kept.toArray(new String[0]));
    }

    // ---- labels ---------------------------------------------------------------------------------------

    private static Classes inferClasses(Table t) {
        boolean indices = true;
        int maxRow = -1;
        long max = -1;
        for (int i = 0; i < t.rows && indices; i++) {
            long k = classIndex(t.labels.get(i));
            indices = k >= 0;
            if (k > max) {
                max = k;
                maxRow = i;
            }
        }
        if (indices) {
            if (max >= MAX_CLASSES) {
                throw t.error(t.lines[maxRow], t.labelIndex, "label " + Excerpt.of(t.labels.get(maxRow)) + " would make " + (max + 1)
                        + " classes (at most " + MAX_CLASSES + "); is this the label column? (see --label-column)");
            }
            return new Classes((int) max + 1, List.of(), "the training set's classes (" + t.file + ")");
        }
        TreeSet<String> distinct = new TreeSet<>(t.labels);
        if (distinct.size() > MAX_CLASSES) {
            throw new UserError(t.file + ": " + distinct.size() + " distinct labels (at most " + MAX_CLASSES
                    + "); is column " + (t.labelIndex + 1) + " the label column? (see --label-column)");
        }
        return new Classes(distinct.size(), new ArrayList<>(distinct), "the training set's classes (" + t.file + ")");
    }

    private static int classOf(Table t, int row, Classes c) {
        String label = t.labels.get(row);
        if (c.named()) {
            int k = c.names().indexOf(label);
            if (k < 0) {
                throw t.error(t.lines[row], t.labelIndex, "label " + Excerpt.quoted(label) + " is not one of " + c.whose() + ": "
                        + c.describe());
            }
            return k;
        }
        long k = classIndex(label);
        if (k < 0 || k >= c.count()) {
            throw t.error(t.lines[row], t.labelIndex, "label " + Excerpt.quoted(label) + " is not one of " + c.whose() + ": "
                    + c.describe());
        }
        return (int) k;
    }

    /** The class index a label names ("7", "+7", "7.0", "7."), or −1 if it is not a non-negative integer. */
    static long classIndex(String s) {
        int i = s.startsWith("+") ? 1 : 0, digitsEnd = i;
        while (digitsEnd < s.length() && Character.isDigit(s.charAt(digitsEnd)) && s.charAt(digitsEnd) < 128) {
            digitsEnd++;
        }
        if (digitsEnd == i) {
            return -1;
        }
        if (digitsEnd < s.length()) {
            if (s.charAt(digitsEnd) != '.') {
                return -1;
            }
            for (int j = digitsEnd + 1; j < s.length(); j++) {
                if (s.charAt(j) != '0') {
                    return -1;
                }
            }
        }
        String digits = s.substring(i, digitsEnd).replaceFirst("^0+(?=.)", "");
        return digits.length() > 9 ? Long.MAX_VALUE / 2 : Long.parseLong(digits);
    }

    // ---- numbers --------------------------------------------------------------------------------------

    /** A decimal number as CSV writers produce it: [+-] digits [. digits] [e [+-] digits], or .5 forms. */
    static boolean isNumber(String s) {
        int i = 0, n = s.length();
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        while (i < n && isAsciiDigit(s.charAt(i))) {
            i++;
            digits++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && isAsciiDigit(s.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int exp = 0;
            while (i < n && isAsciiDigit(s.charAt(i))) {
                i++;
                exp++;
            }
            if (exp == 0) {
                return false;
            }
        }
        return i == n;
    }

    private static final double[] POWERS_OF_TEN = new double[23];

    static {
        for (int i = 0; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = Double.parseDouble("1e" + i);
        }
    }

    /**
     * The value of a plain decimal ([+-]digits[.digits], at most 15 significant digits, no exponent) without
     * Double.parseDouble, which dominates reading a large CSV; NaN when the text is not of that form. Exact
     * for what it accepts: the digits form an integer below 2⁵³ and 10^k (k ≤ 22) is a double exactly, so the
     * one division rounds correctly and the result equals Double.parseDouble's (Clinger's fast path).
     */
    static double fastDecimal(String s) {
        return fastDecimal(s, 0, s.length());
    }

    /** {@link #fastDecimal(String)} of {@code s[from, to)}. */
    static double fastDecimal(String s, int from, int to) {
        int i = from;
        boolean negative = false;
        if (i < to && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        long mantissa = 0;
        int significant = 0, fraction = 0, seen = 0;
        boolean point = false;
        for (; i < to; i++) {
            char c = s.charAt(i);
            if (c == '.' && !point) {
                point = true;
            } else if (isAsciiDigit(c)) {
                mantissa = mantissa * 10 + (c - '0');
                seen++;
                if (mantissa != 0) {
                    significant++;
                }
                if (point) {
                    fraction++;
                }
            } else {
                return Double.NaN;
            }
        }
        if (seen == 0 || significant > 15 || fraction >= POWERS_OF_TEN.length) {
            return Double.NaN;
        }
        double v = mantissa / POWERS_OF_TEN[fraction];
        return negative ? -v : v;
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** "nan", "inf", "-Infinity", …: numbers to a program, but not features a network can use. */
    static boolean isNonFiniteWord(String s) {
        String w = s.toLowerCase(Locale.ROOT);
        if (w.startsWith("+") || w.startsWith("-")) {
            w = w.substring(1);
        }
        return w.equals("nan") || w.equals("inf") || w.equals("infinity");
    }

    // ---- the table ------------------------------------------------------------------------------------

    /** One pass over the file: features parsed as they come, label (and kept) cells kept as strings. */
    private static final class Table {
        final Path file;
        final Options options;
        String[] header;
        int columns;
        int labelIndex = -1;
        int featureCount;
        int rows;
        float[] values = new float[1024];
        int[] lines = new int[64];
        final List<String> labels = new ArrayList<>();
        /** Every column is a feature (readFeatures without a label column): a text cell may be a label. */
        boolean featuresOnly;
        /** keptSlot[c]: column c's place in options.keepColumns, or −1; null when no column is kept. */
        int[] keptSlot;
        /** The kept columns' cells, row by row, in options.keepColumns order. */
        final List<String> kept = new ArrayList<>();
        /** Where records come from: a quoted cell that spans lines reads on from here. */
        CsvLines source;

        Table(Path file, Options options) {
            this.file = file;
            this.options = options;
        }

        float[] features() {
            return Arrays.copyOf(values, rows * featureCount);
        }

        private boolean isFeature(int c) {
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

        /** Feature names that are to be matched by name must each be there and be distinct. */
        private void checkFeatureNames(int lineNo) {
            Map<String, Integer> seen = new HashMap<>();
            for (int c = 0; c < header.length; c++) {
                if (!isFeature(c)) {
                    continue;
                }
                if (header[c].isEmpty()) {
                    throw new UserError(file + ":" + lineNo + ":" + (c + 1) + ": a feature column without a name in "
                            + "the header; features are matched by name, so each needs one" + (c == 0
                            ? " (an unnamed first column is often a pandas index: write it with to_csv(..., index=False))"
                            : ""));
                }
                Integer before = seen.putIfAbsent(header[c], c);
                if (before != null) {
                    throw new UserError(file + ":" + lineNo + ":" + (c + 1) + ": column name " + Excerpt.quoted(header[c])
                            + " appears twice in the header (columns " + (before + 1) + " and " + (c + 1)
                            + "); features are matched by name, so each needs its own");
                }
            }
        }

        static Table read(Path file, Options options, boolean withLabel, HeaderCheck check) {
            Table t = new Table(file, options);
            try {
                if (Files.isDirectory(file)) {
                    throw new UserError(file + ": is a folder, expected a CSV file");
                }
                var decoder = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
                try (InputStreamReader in = new InputStreamReader(Files.newInputStream(file), decoder)) {
                    t.source = new CsvLines(in);
                    t.parse(withLabel, check);
                }
            } catch (NoSuchFileException e) {
                throw new UserError(file + ": file not found", e);
            } catch (AccessDeniedException e) {
                throw new UserError(file + ": permission denied", e);
            } catch (CharacterCodingException e) {
                throw new UserError(file + ": not UTF-8 text", e);
            } catch (CsvLines.TooLong e) {
                throw new UserError(file + ":" + e.line + ": a line longer than " + e.limit
                        + " characters (is this a CSV file?)", e);
            } catch (IOException e) {
                throw new UserError(file + ": cannot read (" + e.getMessage() + ")", e);
            }
            return t;
        }

        private void parse(boolean withLabel, HeaderCheck check) throws IOException {
            String label = options.labelColumn() == null ? null : options.labelColumn().trim();
            boolean byName = label != null && !label.chars().allMatch(CsvReader::isAsciiDigitInt);
            if (label != null && label.isEmpty()) {
                throw new UserError("--label-column: empty; give a column name or a 0-based index");
            }
            if (byName && options.header() == HeaderMode.ABSENT) {
                throw new UserError("--label-column " + label + ": a column name needs a header row, but --no-header "
                        + "was given; use a 0-based index");
            }
            checkKeepColumns();
            boolean keeping = !options.keepColumns().isEmpty();
            String line;
            String[] first = null;
            int firstLine = 0;
            while ((line = source.next()) != null) {
                int lineNo = source.number(); // the record's first line, also when a quoted cell takes it further
                if (lineNo == 1 && line.startsWith("\uFEFF")) {
                    line = line.substring(1); // a byte-order mark some spreadsheet programs write
                }
                if (line.isBlank()) {
                    continue;
                }
                if (first == null) {
                    String[] cells = split(line, lineNo);
                    first = cells;
                    firstLine = lineNo;
                    columns = cells.length;
                    labelIndex = withLabel ? labelIndexFor(label, byName, cells, lineNo) : -1;
                    featuresOnly = labelIndex < 0;
                    featureCount = columns - (labelIndex >= 0 ? 1 : 0);
                    if (featureCount == 0) {
                        throw error(lineNo, 0, "no feature columns: the only column is the label");
                    }
                    boolean isHeader = switch (options.header()) {
                        case PRESENT -> true;
                        case ABSENT -> false;
                        case AUTO -> byName || keeping || looksLikeHeader(cells);
                    };
                    if (isHeader) {
                        header = cells;
                        if (byName) {
                            labelIndex = indexOfName(label, lineNo);
                        }
                        if (keeping) {
                            resolveKeptColumns(lineNo);
                        }
                        if (check != null) {
                            checkFeatureNames(lineNo);
                            check.check(featureNames());
                        }
                        continue;
                    }
                    addRow(cells, lineNo);
                    continue;
                }
                if (line.indexOf('"') < 0) {
                    addPlainRow(line, lineNo);
                } else {
                    addRow(split(line, lineNo), lineNo);
                }
            }
            if (first == null) {
                throw new UserError(file + ": empty file (no rows)");
            }
            if (rows == 0) {
                throw new UserError(file + ": no data rows (only the header on line " + firstLine + ")");
            }
        }

        /** The kept columns' names as given, before the file is read: a header to find them by, none twice. */
        private void checkKeepColumns() {
            List<String> keep = options.keepColumns();
            if (keep.isEmpty()) {
                return;
            }
            if (options.header() == HeaderMode.ABSENT) {
                throw new UserError(options.keepOption() + ": columns are named by their header names, but --no-header was given");
            }
            Set<String> seen = new java.util.HashSet<>();
            for (String name : keep) {
                if (name.isEmpty()) {
                    throw new UserError(options.keepOption() + ": an empty column name");
                }
                if (!seen.add(name)) {
                    throw new UserError(options.keepOption() + ": \"" + name + "\" is given twice");
                }
            }
        }

        /** Finds the kept columns in the header: every name once, none the label column. */
        private void resolveKeptColumns(int lineNo) {
            List<String> keep = options.keepColumns();
            keptSlot = new int[columns];
            Arrays.fill(keptSlot, -1);
            List<String> unknown = new ArrayList<>();
            for (int k = 0; k < keep.size(); k++) {
                String name = keep.get(k);
                int at = -1;
                for (int c = 0; c < header.length; c++) {
                    if (header[c].equals(name)) {
                        if (at >= 0) {
                            throw error(lineNo, c, "column name " + Excerpt.quoted(name) + " appears twice in the header (columns "
                                    + (at + 1) + " and " + (c + 1) + "), so " + options.keepOption() + " cannot tell which is meant");
                        }
                        at = c;
                    }
                }
                if (at < 0) {
                    unknown.add("\"" + name + "\"");
                } else if (at == labelIndex) {
                    throw new UserError(options.keepOption() + " " + name + ": it is the --label-column; the label is "
                            + "left out of the features already, so name it only with --label-column");
                } else {
                    keptSlot[at] = k;
                }
            }
            if (!unknown.isEmpty()) {
                throw new UserError(options.keepOption() + ": no column " + String.join(", ", unknown) + " in " + file
                        + " (header: " + shownNames(Arrays.asList(header)) + ")");
            }
            featureCount -= keep.size();
            if (featureCount == 0) {
                throw error(lineNo, 0, "no feature columns left once the label and the " + options.keepOption() + " are left out");
            }
        }

        /** The label's column from an index (checked against the row's width) or, for a name, a placeholder. */
        private int labelIndexFor(String label, boolean byName, String[] cells, int lineNo) {
            if (label == null) {
                return cells.length - 1;
            }
            if (byName) {
                return 0; // resolved against the header once it is known to be one (always, for names)
            }
            long k = label.length() > 9 ? Long.MAX_VALUE : Long.parseLong(label);
            if (k >= cells.length) {
                throw new UserError("--label-column " + label + ": " + file + " has " + cells.length
                        + " columns (indices 0.." + (cells.length - 1) + ")");
            }
            return (int) k;
        }

        private int indexOfName(String name, int lineNo) {
            int at = -1;
            for (int c = 0; c < header.length; c++) {
                if (header[c].equals(name)) {
                    if (at >= 0) {
                        throw error(lineNo, c, "column name " + Excerpt.quoted(name) + " appears twice in the header (columns "
                                + (at + 1) + " and " + (c + 1) + "); give --label-column as an index");
                    }
                    at = c;
                }
            }
            if (at < 0) {
                throw new UserError("--label-column " + name + ": no such column in " + file + " (header: "
                        + shownNames(Arrays.asList(header)) + ")");
            }
            return at;
        }

        /** A first row is a header when a feature cell holds text: not a number, and not a missing value. */
        private boolean looksLikeHeader(String[] cells) {
            for (int c = 0; c < cells.length; c++) {
                String s = cells[c];
                if (c != labelIndex && !s.isEmpty() && !isNumber(s) && !isNonFiniteWord(s) && !s.equals(MISSING_WORD)) {
                    return true;
                }
            }
            return false;
        }

        private void addRow(String[] cells, int lineNo) {
            if (cells.length != columns) {
                throw widthError(cells.length, lineNo);
            }
            long need = (long) (rows + 1) * featureCount;
            if (need > Integer.MAX_VALUE - 8) {
                throw error(lineNo, 0, "too many values for one data set (more than " + (Integer.MAX_VALUE - 8) + ")");
            }
            if (need > values.length) {
                values = Arrays.copyOf(values, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(need, 2L * values.length)));
            }
            int at = rows * featureCount;
            String[] keptCells = keptSlot == null ? null : new String[options.keepColumns().size()];
            for (int c = 0; c < cells.length; c++) {
                if (c == labelIndex) {
                    if (cells[c].isEmpty()) {
                        throw error(lineNo, c, "empty label");
                    }
                    labels.add(cells[c]);
                } else if (keptCells != null && keptSlot[c] >= 0) {
                    keptCells[keptSlot[c]] = cells[c];
                } else {
                    values[at++] = feature(cells[c], lineNo, c);
                }
            }
            if (keptCells != null) {
                kept.addAll(Arrays.asList(keptCells));
            }
            if (rows == lines.length) {
                lines = Arrays.copyOf(lines, 2 * rows);
            }
            lines[rows++] = lineNo;
        }

        /**
         * {@link #addRow} for a line without quotes, reading cells in place: a large CSV is mostly numbers,
         * and a String per cell would cost more than parsing them. Anything unusual (a wrong cell count, a
         * cell that is not a plain decimal) goes through the general path, so messages are the same.
         */
        private void addPlainRow(String line, int lineNo) throws IOException {
            int cells = commas(line) + 1;
            if (cells != columns) {
                throw widthError(cells, lineNo); // without splitting: the row may be a million commas
            }
            long need = (long) (rows + 1) * featureCount;
            if (need > values.length) {
                addRow(split(line, lineNo), lineNo);
                return;
            }
            int at = rows * featureCount, start = 0, n = line.length();
            String label = null;
            String[] keptCells = keptSlot == null ? null : new String[options.keepColumns().size()];
            for (int c = 0; c < columns; c++) {
                int comma = line.indexOf(',', start);
                int end = comma < 0 ? n : comma;
                int s0 = start, e0 = end;
                while (s0 < e0 && Character.isWhitespace(line.charAt(s0))) {
                    s0++;
                }
                while (e0 > s0 && Character.isWhitespace(line.charAt(e0 - 1))) {
                    e0--;
                }
                if (c == labelIndex) {
                    label = line.substring(s0, e0);
                    if (label.isEmpty()) {
                        throw error(lineNo, c, "empty label");
                    }
                } else if (keptCells != null && keptSlot[c] >= 0) {
                    keptCells[keptSlot[c]] = line.substring(s0, e0);
                } else {
                    double v = fastDecimal(line, s0, e0);
                    values[at++] = Double.isNaN(v) ? feature(line.substring(s0, e0), lineNo, c) : (float) v;
                }
                start = end + 1;
            }
            if (label != null) {
                labels.add(label);
            }
            if (keptCells != null) {
                kept.addAll(Arrays.asList(keptCells));
            }
            if (rows == lines.length) {
                lines = Arrays.copyOf(lines, 2 * rows);
            }
            lines[rows++] = lineNo;
        }

        private UserError widthError(int cells, int lineNo) {
            String expected = columns + " cells" + (header != null ? ", as the header has" : ", as the first row has");
            return error(lineNo, Math.min(cells, columns), "row has " + cells + " cells, expected " + expected);
        }

        /** Refuses a record of more than {@link #MAX_COLUMNS} cells before they are all made strings. */
        private void checkWidth(int cells, int lineNo) {
            if (cells > MAX_COLUMNS) {
                throw new UserError(file + ":" + lineNo + ": more than " + MAX_COLUMNS + " cells in one row");
            }
        }

        /** A feature cell's value; NaN for a missing one when the options allow it. */
        private float feature(String s, int lineNo, int c) {
            if (s.isEmpty() || s.equals(MISSING_WORD)) {
                if (options.missing().allowed()) {
                    return Float.NaN;
                }
                throw error(lineNo, c, (s.isEmpty() ? "empty cell" : Excerpt.quoted(s)) + ": a missing value, "
                        + options.missing().refusal());
            }
            if (isNonFiniteWord(s)) {
                throw error(lineNo, c, Excerpt.quoted(s) + ": NaN and infinite features are not allowed");
            }
            if (!isNumber(s)) {
                UserError e = error(lineNo, c, Excerpt.quoted(s) + " is not a number");
                throw featuresOnly ? new UserError(e.getMessage() + "; if this is a label column, name it with "
                        + "--label-column to leave it out") : e;
            }
            double v = fastDecimal(s);
            if (Double.isNaN(v)) {
                v = Double.parseDouble(s);
            }
            if (Math.abs(v) > Float.MAX_VALUE) {
                throw error(lineNo, c, Excerpt.of(s) + " is outside the float32 range (±3.4e38)");
            }
            return (float) v;
        }

        /** "file:line:col: problem (column "name")"; col is 0-based here, printed from 1; 0 for a whole row. */
        UserError error(int lineNo, int col, String problem) {
            String name = header != null && col < header.length && !header[col].isEmpty()
                    ? " (column " + Excerpt.quoted(header[col]) + ")" : "";
            return new UserError(file + ":" + lineNo + ":" + (col + 1) + ": " + problem + name);
        }

        /**
         * Cells of one record starting with {@code line} (line {@code lineNo}): split on commas, double quotes
         * honoured, surrounding spaces trimmed. A quoted cell still open at the end of the line goes on over
         * the next lines of {@link #source}, with their line breaks as part of its text.
         */
        private String[] split(String line, int lineNo) throws IOException {
            if (line.indexOf('"') < 0) {
                checkWidth(commas(line) + 1, lineNo);
                String[] cells = line.split(",", -1);
                for (int i = 0; i < cells.length; i++) {
                    cells[i] = cells[i].strip();
                }
                return cells;
            }
            List<String> out = new ArrayList<>();
            StringBuilder cell = new StringBuilder();
            int i = 0, n = line.length();
            long recordChars = n;
            while (true) {
                while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                    i++;
                }
                if (i < n && line.charAt(i) == '"') {
                    i++;
                    int quoteLine = source.number();
                    while (true) {
                        if (i >= n) {
                            String lineBreak = source.lastBreak();
                            String more = source.next();
                            if (more == null) {
                                throw error(lineNo, out.size(), "unterminated quoted cell: the quote opened on line "
                                        + quoteLine + " is not closed before the end of the file");
                            }
                            recordChars += lineBreak.length() + more.length();
                            if (recordChars > MAX_RECORD_CHARS) {
                                throw error(lineNo, out.size(), "unterminated quoted cell: the quote opened on line "
                                        + quoteLine + " is still open after " + MAX_RECORD_CHARS
                                        + " characters (is its closing quote missing?)");
                            }
                            cell.append(lineBreak);
                            line = more;
                            i = 0;
                            n = line.length();
                            continue;
                        }
                        char ch = line.charAt(i++);
                        if (ch == '"') {
                            if (i < n && line.charAt(i) == '"') {
                                cell.append('"');
                                i++;
                            } else {
                                break;
                            }
                        } else {
                            cell.append(ch);
                        }
                    }
                    while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                        i++;
                    }
                    if (i < n && line.charAt(i) != ',') {
                        throw error(lineNo, out.size(), "text after a closing quote");
                    }
                    checkWidth(out.size() + 1, lineNo);
                    out.add(cell.toString());
                } else {
                    int comma = line.indexOf(',', i);
                    int end = comma < 0 ? n : comma;
                    String raw = line.substring(i, end);
                    if (raw.indexOf('"') >= 0) {
                        throw error(lineNo, out.size(), "a quote inside an unquoted cell");
                    }
                    checkWidth(out.size() + 1, lineNo);
                    out.add(raw.strip());
                    i = end;
                }
                cell.setLength(0);
                if (i >= n) {
                    break;
                }
                i++; // the comma
                if (i == n) {
                    out.add("");
                    break;
                }
            }
            return out.toArray(new String[0]);
        }
    }

    private static int commas(String line) {
        int n = 0;
        for (int i = line.indexOf(','); i >= 0; i = line.indexOf(',', i + 1)) {
            n++;
        }
        return n;
    }

    private static boolean isAsciiDigitInt(int c) {
        return c >= '0' && c <= '9';
    }

    /** Most names a message lists, and the most characters the list may take. */
    private static final int SHOWN_NAMES = 10, SHOWN_CHARS = 200;

    /**
     * Names from the file (classes, a header's columns) as a message lists them: each cut short
     * ({@link Excerpt}), the first ten or fewer, "… (N in all)" when some are left out.
     */
    static String shownNames(List<String> names) {
        StringBuilder sb = new StringBuilder();
        int shown = 0;
        for (String n : names) {
            String e = Excerpt.of(n);
            if (shown == SHOWN_NAMES || (shown > 0 && sb.length() + e.length() > SHOWN_CHARS)) {
                break;
            }
            sb.append(shown++ == 0 ? "" : ", ").append(e);
        }
        return shown < names.size() ? sb + ", … (" + names.size() + " in all)" : sb.toString();
    }
}
