package io.clprop.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The records of a CSV text and their cells. A record is a line, or the lines a quoted cell stretches over;
 * blank lines between records are skipped, and a byte-order mark before the first is dropped. Cells are
 * split on commas, double quotes honoured (RFC 4180: "" inside quotes is a quote), surrounding spaces trimmed.
 * A record is numbered by the line it starts on.
 */
final class CsvRecords {
    private final CsvLines lines;
    private final CsvErrors errors;
    private int lineNo;

    CsvRecords(CsvLines lines, CsvErrors errors) {
        this.lines = lines;
        this.errors = errors;
    }

    /**
     * The first line of the next record, or null at the end of the text. Its cells are {@link #cells} of it;
     * a line without quotes is the whole record, so a caller may read its cells in place instead.
     */
    String next() throws IOException {
        String line;
        while ((line = lines.next()) != null) {
            lineNo = lines.number();
            if (lineNo == 1 && line.startsWith("\uFEFF")) {
                line = line.substring(1); // a byte-order mark some spreadsheet programs write
            }
            if (!line.isBlank()) {
                return line;
            }
        }
        return null;
    }

    /** The line the record {@link #next} last returned starts on. */
    int lineNo() {
        return lineNo;
    }

    /**
     * Cells of the record starting with {@code line}, the one {@link #next} returned. A quoted cell still open
     * at the end of the line goes on over the next lines, with their line breaks as part of its text.
     */
    String[] cells(String line) throws IOException {
        if (line.indexOf('"') < 0) {
            checkWidth(commas(line) + 1);
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
                int quoteLine = lines.number();
                while (true) {
                    if (i >= n) {
                        String lineBreak = lines.lastBreak();
                        String more = lines.next();
                        if (more == null) {
                            throw errors.at(lineNo, out.size(), "unterminated quoted cell: the quote opened on line "
                                    + quoteLine + " is not closed before the end of the file");
                        }
                        recordChars += lineBreak.length() + more.length();
                        if (recordChars > CsvReader.MAX_RECORD_CHARS) {
                            throw errors.at(lineNo, out.size(), "unterminated quoted cell: the quote opened on line "
                                    + quoteLine + " is still open after " + CsvReader.MAX_RECORD_CHARS
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
                    throw errors.at(lineNo, out.size(), "text after a closing quote");
                }
                checkWidth(out.size() + 1);
                out.add(cell.toString());
            } else {
                int comma = line.indexOf(',', i);
                int end = comma < 0 ? n : comma;
                String raw = line.substring(i, end);
                if (raw.indexOf('"') >= 0) {
                    throw errors.at(lineNo, out.size(), "a quote inside an unquoted cell");
                }
                checkWidth(out.size() + 1);
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

    /** The number of commas in {@code line}: its cells less one, when it has no quotes. */
    static int commas(String line) {
        int n = 0;
        for (int i = line.indexOf(','); i >= 0; i = line.indexOf(',', i + 1)) {
            n++;
        }
        return n;
    }

    /** Refuses a record of more than {@link CsvReader#MAX_COLUMNS} cells before they are all made strings. */
    private void checkWidth(int cells) {
        if (cells > CsvReader.MAX_COLUMNS) {
            throw errors.atLine(lineNo, "more than " + CsvReader.MAX_COLUMNS + " cells in one row");
        }
    }
}
