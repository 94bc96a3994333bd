package io.clprop.fuzz;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.util.ArrayList;
import java.util.List;

/**
 * A change to a CSV table kept as rows of cell texts (as written, quotes included) and each row's line break:
 * a cell replaced by an awkward value, a cell or row removed or repeated, a line break changed. Rows and cells
 * are picked by an index modulo their count, so every edit applies to every table.
 */
sealed interface CsvEdit {
    void apply(List<List<String>> rows, List<String> breaks, StringBuilder log);

    /**
     * Awkward cell texts: beyond float32, a million digits, NaN and infinity words, missing markers, quotes
     * (escaped, unterminated, around line breaks), text where numbers go, numbers in other scripts, label
     * values at the class limits, and very long names.
     */
    List<String> CELLS = List.of("1e39", "-1e39", "3.4028236e38", "3.4028235e38", "1e400", "1e-400",
            "1".repeat(1_000_000), "0." + "0".repeat(1000) + "1", "123456789012345678", "NaN", "nan", "-inf",
            "+Infinity", "", "NA", "na", " ", "\"\"", "\"\"\"\"", "\"a\"\"b\"", "\"unterminated", "\"1\"", "\" 2 \"",
            "\"x\ny\"", "\"x\r\ny\"", "\"\r\"", "a\"b", "\"a\"b", "\uFEFF1", "\u0661\u0662\u0663", "+", "-", ".", "1e",
            "e5", "0x1F", "1_000", "\u00bd", "1,5", "-0", "00007", "7.000", "99999999999", "65536", "65535", "-1",
            "1.5", "n".repeat(100_000), "\"" + "q".repeat(100_000) + "\"", "\t3\t", "\u00a01", "\u20031", "\0",
            "label", "species", "id", "setosa");
    List<String> BREAKS = List.of("\n", "\r\n", "\r", "\n\n", "\n \n", "");

    record SetCell(int row, int col, String text) implements CsvEdit {
        public void apply(List<List<String>> rows, List<String> breaks, StringBuilder log) {
            if (rows.isEmpty()) {
                return;
            }
            List<String> r = rows.get(row % rows.size());
            if (r.isEmpty()) {
                r.add(text);
                return;
            }
            int c = col % r.size();
            log.append("row ").append(row % rows.size()).append(" cell ").append(c).append(": ")
                    .append(show(r.get(c))).append(" → ").append(show(text)).append("; ");
            r.set(c, text);
        }

        @Override
        public String toString() {
            return "set row " + row + " cell " + col + " to " + show(text);
        }
    }

    record DropCell(int row, int col) implements CsvEdit {
        public void apply(List<List<String>> rows, List<String> breaks, StringBuilder log) {
            if (rows.isEmpty() || rows.get(row % rows.size()).isEmpty()) {
                return;
            }
            List<String> r = rows.get(row % rows.size());
            log.append("row ").append(row % rows.size()).append(": cell ").append(col % r.size()).append(" removed; ");
            r.remove(col % r.size());
        }

        @Override
        public String toString() {
            return "drop row " + row + " cell " + col;
        }
    }

    record AddCell(int row, int col, String text) implements CsvEdit {
        public void apply(List<List<String>> rows, List<String> breaks, StringBuilder log) {
            if (rows.isEmpty()) {
                return;
            }
            List<String> r = rows.get(row % rows.size());
            int c = col % (r.size() + 1);
            log.append("row ").append(row % rows.size()).append(": ").append(show(text)).append(" inserted as cell ")
                    .append(c).append("; ");
            r.add(c, text);
        }

        @Override
        public String toString() {
            return "add to row " + row + " at cell " + col + " " + show(text);
        }
    }

    record DropRow(int row) implements CsvEdit {
        public void apply(List<List<String>> rows, List<String> breaks, StringBuilder log) {
            if (rows.isEmpty()) {
                return;
            }
            int i = row % rows.size();
            log.append("row ").append(i).append(" removed; ");
            rows.remove(i);
            breaks.remove(i);
        }

        @Override
        public String toString() {
            return "drop row " + row;
        }
    }

    record DuplicateRow(int row, int times) implements CsvEdit {
        public void apply(List<List<String>> rows, List<String> breaks, StringBuilder log) {
            if (rows.isEmpty()) {
                return;
            }
            int i = row % rows.size();
            log.append("row ").append(i).append(" repeated ").append(times).append(" times; ");
            for (int k = 0; k < times; k++) {
                rows.add(i + 1, new ArrayList<>(rows.get(i)));
                breaks.add(i + 1, breaks.get(i));
            }
        }

        @Override
        public String toString() {
            return "repeat row " + row + " " + times + " times";
        }
    }

    /** The break after a row: CR, CRLF, a blank line, a line of spaces, none (the row runs into the next). */
    record SetBreak(int row, String lineBreak) implements CsvEdit {
        public void apply(List<List<String>> rows, List<String> breaks, StringBuilder log) {
            if (rows.isEmpty()) {
                return;
            }
            int i = row % rows.size();
            log.append("break after row ").append(i).append(": ").append(show(lineBreak)).append("; ");
            breaks.set(i, lineBreak);
        }

        @Override
        public String toString() {
            return "break after row " + row + " " + show(lineBreak);
        }
    }

    static String render(List<List<String>> rows, List<String> breaks) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < rows.size(); i++) {
            sb.append(String.join(",", rows.get(i))).append(breaks.get(i));
        }
        return sb.toString();
    }

    static String show(String s) {
        String t = s.replace("\r", "\\r").replace("\n", "\\n").replace("\0", "\\0");
        return "\"" + (t.length() <= 30 ? t : t.substring(0, 12) + "…(" + t.length() + " chars)…" + t.substring(t.length() - 4)) + "\"";
    }

    static Arbitrary<CsvEdit> any() {
        Arbitrary<Integer> row = Arbitraries.integers().between(0, 1000);
        Arbitrary<Integer> col = Arbitraries.integers().between(0, 1000);
        Arbitrary<String> cell = Arbitraries.of(CELLS);
        return Arbitraries.oneOf(List.of(
                Combinators.combine(row, col, cell).as(SetCell::new),
                Combinators.combine(row, col, cell).as(SetCell::new),
                Combinators.combine(row, col, cell).as(SetCell::new),
                Combinators.combine(row, col).as(DropCell::new),
                Combinators.combine(row, col, cell).as(AddCell::new),
                row.map(DropRow::new),
                Combinators.combine(row, Arbitraries.of(1, 2, 100)).as(DuplicateRow::new),
                Combinators.combine(row, Arbitraries.of(BREAKS)).as(SetBreak::new)));
    }
}
