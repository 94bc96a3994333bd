package io.clprop.util;

/**
 * A piece of a file's content as an error message quotes it: at most {@link #MAX} characters, then "…", on
 * one line, nothing in it that a terminal would act on. Line breaks are written \n and \r, a tab \t, other
 * control and format characters (a bidi override, a zero-width space, a byte-order mark), line and paragraph
 * separators and unpaired surrogates as \\uXXXX. Quotes and backslashes stay as they are, so an ordinary
 * name reads as written.
 *
 * <p>Every message that quotes a CSV cell, a column, class or feature name, or a string or number from a
 * model header goes through here: the content is the file's, and a cell of millions of digits must not
 * become a line of millions of characters.
 */
public final class Excerpt {
    /** Characters of content shown, escapes included, before the cut. */
    public static final int MAX = 40;

    private Excerpt() {
    }

    /** {@code s} cut to {@link #MAX} characters and escaped. */
    public static String of(String s) {
        return of(s, MAX);
    }

    /** {@code s} cut to {@code max} characters (escapes count as their length) and escaped. */
    public static String of(String s, int max) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(Math.min(s.length(), max) + 8);
        int i = 0;
        while (i < s.length()) {
            int cp = s.codePointAt(i);
            String shown = shown(s, i, cp);
            if (sb.length() + shown.length() > max) {
                return sb.append('…').toString();
            }
            sb.append(shown);
            i += Character.charCount(cp);
        }
        return sb.toString();
    }

    /** {@code "…"}: {@link #of} in double quotes. */
    public static String quoted(String s) {
        return "\"" + of(s) + "\"";
    }

    /** The code point at {@code s[i]} as shown: itself, or an escape. */
    private static String shown(String s, int i, int cp) {
        switch (cp) {
            case '\n':
                return "\\n";
            case '\r':
                return "\\r";
            case '\t':
                return "\\t";
            default:
                break;
        }
        int type = Character.getType(cp);
        boolean hidden = type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                || type == Character.PARAGRAPH_SEPARATOR || type == Character.SURROGATE || type == Character.UNASSIGNED;
        if (!hidden) {
            return s.substring(i, i + Character.charCount(cp));
        }
        // An unpaired surrogate is one char; anything hidden beyond the BMP (a tag character) is two escapes.
        StringBuilder e = new StringBuilder();
        for (char c : Character.toChars(cp)) {
            e.append(String.format("\\u%04x", (int) c));
        }
        return e.toString();
    }
}
