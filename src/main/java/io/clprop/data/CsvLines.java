package io.clprop.data;

import java.io.IOException;
import java.io.Reader;

/**
 * The physical lines of a text, read through a fixed buffer, each with the line break that ended it
 * ("\n", "\r\n", "\r", or "" for a last line without one). BufferedReader.readLine drops the break, but a
 * quoted CSV cell that spans lines keeps it as part of its text, so {@link CsvReader} reads through this.
 * Line numbers count every line returned, from 1, as an editor numbers them. A line longer than the
 * limit given is refused ({@link TooLong}) once the limit is passed, so a file without line breaks is never
 * gathered into one string.
 */
final class CsvLines {
    /** A line longer than the limit; {@link #line} is its number. */
    static final class TooLong extends IOException {
        final int line;
        final int limit;

        TooLong(int line, int limit) {
            super("line " + line + " is longer than " + limit + " characters");
            this.line = line;
            this.limit = limit;
        }
    }

    private final Reader in;
    private final int maxLine;
    private final char[] buf = new char[1 << 16];
    private int pos, end;
    private int number;
    private String lastBreak = "";
    /** A line that runs over the end of the buffer is gathered here. */
    private final StringBuilder spill = new StringBuilder();

    /** Lines of at most {@link CsvReader#MAX_RECORD_CHARS} characters. */
    CsvLines(Reader in) {
        this(in, CsvReader.MAX_RECORD_CHARS);
    }

    /** Lines of at most {@code maxLine} characters, breaks not counted. */
    CsvLines(Reader in, int maxLine) {
        this.in = in;
        this.maxLine = maxLine;
    }

    /** The next line without its break, or null at the end of the text. */
    String next() throws IOException {
        spill.setLength(0);
        boolean spilled = false;
        while (true) {
            if (pos >= end && !fill()) {
                if (!spilled) {
                    return null;
                }
                number++;
                lastBreak = "";
                return spill.toString();
            }
            for (int i = pos; i < end; i++) {
                char c = buf[i];
                if (c == '\n' || c == '\r') {
                    if (spill.length() + (i - pos) > maxLine) {
                        throw new TooLong(number + 1, maxLine);
                    }
                    String line = spilled ? spill.append(buf, pos, i - pos).toString() : new String(buf, pos, i - pos);
                    pos = i + 1;
                    if (c == '\r') {
                        // CRLF: its LF may be the first character of the next buffer.
                        if (pos >= end) {
                            fill();
                        }
                        if (pos < end && buf[pos] == '\n') {
                            pos++;
                            lastBreak = "\r\n";
                        } else {
                            lastBreak = "\r";
                        }
                    } else {
                        lastBreak = "\n";
                    }
                    number++;
                    return line;
                }
            }
            if (spill.length() + (end - pos) > maxLine) {
                throw new TooLong(number + 1, maxLine);
            }
            spill.append(buf, pos, end - pos);
            spilled = true;
            pos = end;
        }
    }

    /** The number of the line {@link #next} last returned (0 before the first). */
    int number() {
        return number;
    }

    /** The break that ended the line {@link #next} last returned. */
    String lastBreak() {
        return lastBreak;
    }

    /** Refills the buffer; false at the end of the text. */
    private boolean fill() throws IOException {
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) {
            pos = end = 0;
            return false;
        }
        pos = 0;
        end = n;
        return true;
    }
}
