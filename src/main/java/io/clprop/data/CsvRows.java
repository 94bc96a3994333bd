package io.clprop.data;

import io.clprop.util.Excerpt;
import io.clprop.util.UserError;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.clprop.util.Wording.setting;

/**
 * The data rows of a CSV file, assembled as they are read: each record's feature cells parsed into one
 * row-major array, its label and kept cells held as text, and the line it started on, for messages about
 * its label later.
 */
final class CsvRows {
    private final CsvSchema schema;
    private final CsvErrors errors;
    private final CsvReader.Missing missing;
    /** The schema's, copied into fields the per-cell loops read. */
    private final int columns, labelIndex, featureCount, keptCount;
    private final int[] keptSlot;
    private float[] values = new float[1024];
    private int[] lines = new int[64];
    private int rows;
    private final List<String> labels = new ArrayList<>();
    /** The kept columns' cells, row by row, in {@link CsvSchema#keptNames} order. */
    private final List<String> kept = new ArrayList<>();

    CsvRows(CsvSchema schema, CsvReader.Missing missing, CsvErrors errors) {
        this.schema = schema;
        this.errors = errors;
        this.missing = missing;
        this.columns = schema.columns;
        this.labelIndex = schema.labelIndex;
        this.featureCount = schema.featureCount;
        this.keptSlot = schema.keptSlot;
        this.keptCount = schema.keptNames.size();
    }

    CsvSchema schema() {
        return schema;
    }

    /** Adds the record whose cells are {@code cells}, starting on line {@code lineNo}. */
    void add(String[] cells, int lineNo) {
        int at = startRow(cells.length, lineNo);
        String label = null;
        String[] keptCells = keptSlot == null ? null : new String[keptCount];
        for (int c = 0; c < cells.length; c++) {
            if (c == labelIndex) {
                label = label(cells[c], lineNo, c);
            } else if (keptCells != null && keptSlot[c] >= 0) {
                keptCells[keptSlot[c]] = cells[c];
            } else {
                values[at++] = feature(cells[c], lineNo, c);
            }
        }
        endRow(label, keptCells, lineNo);
    }

    /**
     * {@link #add} for a line without quotes, reading its cells in place: a large CSV is mostly numbers, and
     * a String per cell would cost more than parsing them. A cell that is not a plain decimal is read as
     * {@link #add} reads it, so messages are the same.
     */
    void addPlain(String line, int lineNo) {
        int at = startRow(CsvRecords.commas(line) + 1, lineNo); // not split first: the row may be a million commas
        int start = 0, n = line.length();
        String label = null;
        String[] keptCells = keptSlot == null ? null : new String[keptCount];
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
                label = label(line.substring(s0, e0), lineNo, c);
            } else if (keptCells != null && keptSlot[c] >= 0) {
                keptCells[keptSlot[c]] = line.substring(s0, e0);
            } else {
                double v = CsvNumbers.fastDecimal(line, s0, e0);
                values[at++] = Double.isNaN(v) ? feature(line.substring(s0, e0), lineNo, c) : (float) v;
            }
            start = end + 1;
        }
        endRow(label, keptCells, lineNo);
    }

    int count() {
        return rows;
    }

    /** The features of every row, {@code count() × featureCount} values, row-major. */
    float[] features() {
        return Arrays.copyOf(values, rows * featureCount);
    }

    /** Row {@code row}'s label cell (for a schema with a label column). */
    String label(int row) {
        return labels.get(row);
    }

    List<String> labels() {
        return labels;
    }

    /** The line row {@code row} starts on. */
    int line(int row) {
        return lines[row];
    }

    /** The kept cells of every row, row-major, as text. */
    String[] kept() {
        return kept.toArray(new String[0]);
    }

    /** Checks a record's width and makes room for its features; where they go in {@link #values}. */
    private int startRow(int cells, int lineNo) {
        if (cells != columns) {
            String expected = columns + " cells"
                    + (schema.header != null ? ", as the header has" : ", as the first row has");
            throw errors.at(lineNo, Math.min(cells, columns), "row has " + cells + " cells, expected " + expected);
        }
        long need = (long) (rows + 1) * featureCount;
        if (need > values.length) {
            if (need > Integer.MAX_VALUE - 8) {
                throw errors.at(lineNo, 0, "too many values for one data set (more than " + (Integer.MAX_VALUE - 8)
                        + ")");
            }
            values = Arrays.copyOf(values, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(need, 2L * values.length)));
        }
        return rows * featureCount;
    }

    /** Keeps a record's label and kept cells once all its features are in, and counts it. */
    private void endRow(String label, String[] keptCells, int lineNo) {
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

    private String label(String s, int lineNo, int c) {
        if (s.isEmpty()) {
            throw errors.at(lineNo, c, "empty label");
        }
        return s;
    }

    /** A feature cell's value; NaN for a missing one when the options allow it. */
    private float feature(String s, int lineNo, int c) {
        if (s.isEmpty() || s.equals(CsvReader.MISSING_WORD)) {
            if (missing.allowed()) {
                return Float.NaN;
            }
            throw errors.at(lineNo, c, (s.isEmpty() ? "empty cell" : Excerpt.quoted(s)) + ": a missing value, "
                    + missing.refusal());
        }
        if (CsvNumbers.isNonFiniteWord(s)) {
            throw errors.at(lineNo, c, Excerpt.quoted(s) + ": NaN and infinite features are not allowed");
        }
        if (!CsvNumbers.isNumber(s)) {
            UserError e = errors.at(lineNo, c, Excerpt.quoted(s) + " is not a number");
            throw labelIndex < 0 ? new UserError(e.text() + "; if this is a label column, name it with "
                    + setting("labelColumn") + " to leave it out") : e;
        }
        double v = CsvNumbers.fastDecimal(s);
        if (Double.isNaN(v)) {
            v = Double.parseDouble(s);
        }
        if (Math.abs(v) > Float.MAX_VALUE) {
            throw errors.at(lineNo, c, Excerpt.of(s) + " is outside the float32 range (±3.4e38)");
        }
        return (float) v;
    }
}
