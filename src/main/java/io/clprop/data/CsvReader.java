package io.clprop.data;

import io.clprop.util.UserError;

import java.io.BufferedReader;
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
import java.util.TreeSet;

/**
 * Numeric CSV data: comma-separated feature columns and (for labelled data) one label column, UTF-8, one
 * sample per line. Blank lines are skipped; cells may be double-quoted ("" inside quotes is a quote) but may
 * not span lines. Every problem is a one-line {@link UserError} "file:line:column: problem", with the column
 * counted from 1 (the cell number, not the character position).
 *
 * <p>Labels: when every label is a non-negative integer ("3", or "3.0") the classes are 0..max; otherwise
 * the distinct label strings, sorted, are the classes and their names. A second file (a test set, or data
 * for a saved model) is read against the first one's classes.
 */
public final class CsvReader {
    /** More output units than this is almost certainly an ID column chosen as the label. */
    public static final int MAX_CLASSES = 65536;

    public enum HeaderMode { AUTO, PRESENT, ABSENT }

    /**
     * @param header      whether the first row is a header; AUTO: it is when a feature cell of the first row is
     *                    non-empty and not a number, or when the label column is given by name
     * @param labelColumn a header name, or a 0-based index (digits); null: the last column for labelled data,
     *                    none for {@link #readFeatures}
     */
    public record Options(HeaderMode header, String labelColumn) {
        public static Options defaults() {
            return new Options(HeaderMode.AUTO, null);
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
            List<String> shown = names.size() <= 10 ? names : names.subList(0, 10);
            return String.join(", ", shown) + (names.size() > shown.size() ? ", … (" + names.size() + " in all)" : "");
        }
    }

    /**
     * Labelled samples and the classes their labels were mapped to.
     *
     * @param featureNames the header's names of the feature columns, in column order, the label column left
     *                     out; empty when the file has no header
     */
    public record Labelled(Dataset data, Classes classes, List<String> featureNames) {
        public Labelled {
            featureNames = List.copyOf(featureNames);
        }
    }

    /**
     * Unlabelled samples (for prediction): {@code rows × featureCount} values, row-major.
     *
     * @param featureNames as in {@link Labelled}: the header's feature column names, empty without a header
     */
    public record Features(float[] values, int rows, int featureCount, List<String> featureNames) {
        public Features {
            featureNames = List.copyOf(featureNames);
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
        return new Labelled(new Dataset(t.features(), labels, t.featureCount, c.count()), c, t.featureNames());
    }

    /** Features only; a label column, if one is named in the options, is left out. */
    public static Features readFeatures(Path file, Options options) {
        return readFeatures(file, options, null);
    }

    /** {@link #readFeatures(Path, Options)} with a check of the header's feature names (null: none). */
    public static Features readFeatures(Path file, Options options, HeaderCheck check) {
        Table t = Table.read(file, options, options.labelColumn() != null, check);
        return new Features(t.features(), t.rows, t.featureCount, t.featureNames());
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
                throw t.error(t.lines[maxRow], t.labelIndex, "label " + t.labels.get(maxRow) + " would make " + (max + 1)
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
                throw t.error(t.lines[row], t.labelIndex, "label \"" + label + "\" is not one of " + c.whose() + ": "
                        + c.describe());
            }
            return k;
        }
        long k = classIndex(label);
        if (k < 0 || k >= c.count()) {
            throw t.error(t.lines[row], t.labelIndex, "label \"" + label + "\" is not one of " + c.whose() + ": "
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

    /** One pass over the file: features parsed as they come, label cells kept as strings. */
    private static final class Table {
        final Path file;
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

        Table(Path file) {
            this.file = file;
        }

        float[] features() {
            return Arrays.copyOf(values, rows * featureCount);
        }

        /** The header's cells without the label's; empty without a header. */
        List<String> featureNames() {
            if (header == null) {
                return List.of();
            }
            List<String> names = new ArrayList<>(featureCount);
            for (int c = 0; c < header.length; c++) {
                if (c != labelIndex) {
                    names.add(header[c]);
                }
            }
            return names;
        }

        /** Feature names that are to be matched by name must each be there and be distinct. */
        private void checkFeatureNames(int lineNo) {
            Map<String, Integer> seen = new HashMap<>();
            for (int c = 0; c < header.length; c++) {
                if (c == labelIndex) {
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
                    throw new UserError(file + ":" + lineNo + ":" + (c + 1) + ": column name \"" + header[c]
                            + "\" appears twice in the header (columns " + (before + 1) + " and " + (c + 1)
                            + "); features are matched by name, so each needs its own");
                }
            }
        }

        static Table read(Path file, Options options, boolean withLabel, HeaderCheck check) {
            Table t = new Table(file);
            try {
                if (Files.isDirectory(file)) {
                    throw new UserError(file + ": is a folder, expected a CSV file");
                }
                var decoder = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT);
                try (BufferedReader in = new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder),
                        1 << 16)) {
                    t.parse(in, options, withLabel, check);
                }
            } catch (NoSuchFileException e) {
                throw new UserError(file + ": file not found", e);
            } catch (AccessDeniedException e) {
                throw new UserError(file + ": permission denied", e);
            } catch (CharacterCodingException e) {
                throw new UserError(file + ": not UTF-8 text", e);
            } catch (IOException e) {
                throw new UserError(file + ": cannot read (" + e.getMessage() + ")", e);
            }
            return t;
        }

        private void parse(BufferedReader in, Options options, boolean withLabel, HeaderCheck check)
                throws IOException {
            String label = options.labelColumn() == null ? null : options.labelColumn().trim();
            boolean byName = label != null && !label.chars().allMatch(CsvReader::isAsciiDigitInt);
            if (label != null && label.isEmpty()) {
                throw new UserError("--label-column: empty; give a column name or a 0-based index");
            }
            if (byName && options.header() == HeaderMode.ABSENT) {
                throw new UserError("--label-column " + label + ": a column name needs a header row, but --no-header "
                        + "was given; use a 0-based index");
            }
            int lineNo = 0;
            String line;
            String[] first = null;
            int firstLine = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
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
                        case AUTO -> byName || looksLikeHeader(cells);
                    };
                    if (isHeader) {
                        header = cells;
                        if (byName) {
                            labelIndex = indexOfName(label, lineNo);
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
                        throw error(lineNo, c, "column name \"" + name + "\" appears twice in the header (columns "
                                + (at + 1) + " and " + (c + 1) + "); give --label-column as an index");
                    }
                    at = c;
                }
            }
            if (at < 0) {
                throw new UserError("--label-column " + name + ": no such column in " + file + " (header: "
                        + String.join(", ", header) + ")");
            }
            return at;
        }

        private boolean looksLikeHeader(String[] cells) {
            for (int c = 0; c < cells.length; c++) {
                String s = cells[c];
                if (c != labelIndex && !s.isEmpty() && !isNumber(s) && !isNonFiniteWord(s)) {
                    return true;
                }
            }
            return false;
        }

        private void addRow(String[] cells, int lineNo) {
            if (cells.length != columns) {
                String expected = columns + " cells" + (header != null ? ", as the header has" : ", as the first row has");
                throw error(lineNo, Math.min(cells.length, columns), "row has " + cells.length + " cells, expected "
                        + expected);
            }
            long need = (long) (rows + 1) * featureCount;
            if (need > Integer.MAX_VALUE - 8) {
                throw error(lineNo, 0, "too many values for one data set (more than " + (Integer.MAX_VALUE - 8) + ")");
            }
            if (need > values.length) {
                values = Arrays.copyOf(values, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(need, 2L * values.length)));
            }
            int at = rows * featureCount;
            for (int c = 0; c < cells.length; c++) {
                if (c == labelIndex) {
                    if (cells[c].isEmpty()) {
                        throw error(lineNo, c, "empty label");
                    }
                    labels.add(cells[c]);
                } else {
                    values[at++] = feature(cells[c], lineNo, c);
                }
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
        private void addPlainRow(String line, int lineNo) {
            int cells = 1;
            for (int i = line.indexOf(','); i >= 0; i = line.indexOf(',', i + 1)) {
                cells++;
            }
            long need = (long) (rows + 1) * featureCount;
            if (cells != columns || need > values.length) {
                addRow(split(line, lineNo), lineNo);
                return;
            }
            int at = rows * featureCount, start = 0, n = line.length();
            String label = null;
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
                } else {
                    double v = fastDecimal(line, s0, e0);
                    values[at++] = Double.isNaN(v) ? feature(line.substring(s0, e0), lineNo, c) : (float) v;
                }
                start = end + 1;
            }
            if (label != null) {
                labels.add(label);
            }
            if (rows == lines.length) {
                lines = Arrays.copyOf(lines, 2 * rows);
            }
            lines[rows++] = lineNo;
        }

        private float feature(String s, int lineNo, int c) {
            if (s.isEmpty()) {
                throw error(lineNo, c, "empty cell (missing values are not supported)");
            }
            if (isNonFiniteWord(s)) {
                throw error(lineNo, c, "\"" + s + "\": NaN and infinite features are not allowed");
            }
            if (!isNumber(s)) {
                UserError e = error(lineNo, c, "\"" + abbreviate(s) + "\" is not a number");
                throw featuresOnly ? new UserError(e.getMessage() + "; if this is a label column, name it with "
                        + "--label-column to leave it out") : e;
            }
            double v = fastDecimal(s);
            if (Double.isNaN(v)) {
                v = Double.parseDouble(s);
            }
            if (Math.abs(v) > Float.MAX_VALUE) {
                throw error(lineNo, c, s + " is outside the float32 range (±3.4e38)");
            }
            return (float) v;
        }

        /** "file:line:col: problem (column "name")"; col is 0-based here, printed from 1; 0 for a whole row. */
        UserError error(int lineNo, int col, String problem) {
            String name = header != null && col < header.length && !header[col].isEmpty()
                    ? " (column \"" + header[col] + "\")" : "";
            return new UserError(file + ":" + lineNo + ":" + (col + 1) + ": " + problem + name);
        }

        /** Cells of one line: split on commas, double quotes honoured, surrounding spaces trimmed. */
        private String[] split(String line, int lineNo) {
            if (line.indexOf('"') < 0) {
                String[] cells = line.split(",", -1);
                for (int i = 0; i < cells.length; i++) {
                    cells[i] = cells[i].strip();
                }
                return cells;
            }
            List<String> out = new ArrayList<>();
            StringBuilder cell = new StringBuilder();
            int i = 0, n = line.length();
            while (true) {
                while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
                    i++;
                }
                if (i < n && line.charAt(i) == '"') {
                    i++;
                    while (true) {
                        if (i >= n) {
                            throw error(lineNo, out.size(), "unterminated quoted cell (cells may not span lines)");
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
                    out.add(cell.toString());
                } else {
                    int comma = line.indexOf(',', i);
                    int end = comma < 0 ? n : comma;
                    String raw = line.substring(i, end);
                    if (raw.indexOf('"') >= 0) {
                        throw error(lineNo, out.size(), "a quote inside an unquoted cell");
                    }
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

    private static boolean isAsciiDigitInt(int c) {
        return c >= '0' && c <= '9';
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "…";
    }
}
