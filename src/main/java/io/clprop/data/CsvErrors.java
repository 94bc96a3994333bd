package io.clprop.data;

import io.clprop.util.Excerpt;
import io.clprop.util.UserError;

import java.nio.file.Path;
import java.util.List;

/**
 * How a problem in one CSV file is told: "file:line:column: problem", the column counted from 1 (the cell
 * number, not the character position), followed by the column's header name once the file's header is known,
 * so that every part of the reading (records, schema, rows) names a place the same way.
 */
final class CsvErrors {
    /** Most names a message lists, and the most characters the list may take. */
    private static final int SHOWN_NAMES = 10, SHOWN_CHARS = 200;

    final Path file;
    /** The header's cells, null until (and unless) the first row is known to be a header. */
    private String[] header;

    CsvErrors(Path file) {
        this.file = file;
    }

    /** From now on, a cell's problem names its column by this header. */
    void nameColumnsBy(String[] header) {
        this.header = header;
    }

    /** "file:line:col: problem (column "name")"; col is 0-based here, printed from 1; 0 for a whole row. */
    UserError at(int lineNo, int col, String problem) {
        String name = header != null && col < header.length && !header[col].isEmpty()
                ? " (column " + Excerpt.quoted(header[col]) + ")" : "";
        return new UserError(file + ":" + lineNo + ":" + (col + 1) + ": " + problem + name);
    }

    /** "file:line: problem", for a line as a whole. */
    UserError atLine(int lineNo, String problem) {
        return new UserError(file + ":" + lineNo + ": " + problem);
    }

    /** "file: problem", for the file as a whole. */
    UserError inFile(String problem) {
        return new UserError(file + ": " + problem);
    }

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
