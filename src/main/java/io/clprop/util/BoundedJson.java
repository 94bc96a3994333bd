package io.clprop.util;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.internal.LazilyParsedNumber;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Reads JSON from an untrusted file into Gson's tree within limits, so that no text can cost more than its
 * own size or end in anything but a {@link Malformed} exception: not a StackOverflowError (Gson's tree is
 * built and copied recursively, and Gson 2.11 has no nesting limit), not an OutOfMemoryError, not a number
 * whose exponent makes a later {@code toPlainString()} allocate a billion characters.
 *
 * <p>The tree is built here, iteratively, from Gson's strict streaming {@link JsonReader}: no comments,
 * single quotes, unquoted names, NaN or infinities; one value, an object, and nothing after it. On top of
 * that: nesting at most {@link Limits#maxDepth} deep, at most {@link Limits#maxTextChars} characters of text,
 * each string (and name) at most {@link Limits#maxStringChars} characters, each number written in at most
 * {@link Limits#maxNumberChars} characters and of a magnitude a double can hold (zero, or between
 * {@link Double#MIN_VALUE} and {@link Double#MAX_VALUE}), and no name twice in one object (Gson would keep
 * the last silently).
 *
 * <p>What it returns is the tree {@link com.google.gson.JsonParser} would have built from valid text:
 * numbers keep their text (as Gson's {@link LazilyParsedNumber}), so a value written back reads as written.
 * Callers turn {@link Malformed} into a {@link UserError} naming the file, e.g.
 * {@code "FILE: malformed header JSON: " + e.getMessage()}.
 */
public final class BoundedJson {
    /**
     * The bounds a parse holds to.
     *
     * @param maxDepth       objects and arrays open at once, the outermost object counting 1
     * @param maxTextChars   the whole text
     * @param maxStringChars one string or name, once its escapes are decoded (checked after it is read: the
     *                       text bound is what bounds the memory it takes)
     * @param maxNumberChars one number as written ("-1.5e-7" is 7)
     */
    public record Limits(int maxDepth, int maxTextChars, int maxStringChars, int maxNumberChars) {
        /**
         * For clprop file headers. The deepest header clprop writes nests 4 levels (a checkpoint's
         * history → epoch → check; a model's trained → config → hidden), so 64 leaves room for anything a
         * later version adds. 64 MiB of text is {@link io.clprop.model.ClpropFile#MAX_HEADER_BYTES}. A string
         * may be as long as a CSV record ({@link io.clprop.data.CsvReader#MAX_RECORD_CHARS}), since a column
         * or class name comes from one. 40 characters hold any double ("-2.2250738585072014E-308" is 24) and
         * any long with room to spare.
         */
        public static final Limits HEADER = new Limits(64, 64 << 20, 1 << 24, 40);

        public Limits {
            if (maxDepth < 1 || maxTextChars < 2 || maxStringChars < 0 || maxNumberChars < 1) {
                throw new IllegalArgumentException("limits must be positive: " + maxDepth + ", " + maxTextChars + ", "
                        + maxStringChars + ", " + maxNumberChars);
            }
        }
    }

    /**
     * Why a text was refused: a one-line description ending in where ("at line 3 column 12", lines counted by
     * '\n' and columns by UTF-16 characters from 1, as Gson counts them): the first character of a number or
     * of a bracket nested too deep, the closing quote of a string or name.
     */
    public static final class Malformed extends Exception {
        public Malformed(String message) {
            super(message);
        }
    }

    /**
     * A decimal exponent this far from zero is no double's (they span 1e-324 to 1e308), and is refused before
     * anything is computed from it: BigDecimal holds "1e999999999" in a few bytes but expands it on demand.
     */
    private static final int MAX_SCALE = 400;

    private BoundedJson() {
    }

    /** {@link #parseObject(String, Limits)} with {@link Limits#HEADER}. */
    public static JsonObject parseObject(String text) throws Malformed {
        return parseObject(text, Limits.HEADER);
    }

    /**
     * The JSON object that {@code text} is.
     *
     * @throws Malformed when the text is not one JSON object within {@code limits}
     */
    public static JsonObject parseObject(String text, Limits limits) throws Malformed {
        if (text.length() > limits.maxTextChars()) {
            throw new Malformed(text.length() + " characters of JSON, more than the " + limits.maxTextChars() + " allowed");
        }
        if (text.isBlank()) {
            throw new Malformed("expected a JSON object, found no text");
        }
        JsonReader in = new JsonReader(new StringReader(text));
        in.setStrictness(Strictness.STRICT);
        try {
            return read(in, text, limits);
        } catch (Malformed e) {
            throw e;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            // MalformedJsonException, EOFException ("End of input"), and what JsonReader throws for a token it
            // was not expecting: all are syntax errors, with Gson's location in the message.
            throw syntaxError(e.getMessage(), text, limits);
        }
    }

    private static JsonObject read(JsonReader in, String text, Limits limits) throws IOException, Malformed {
        if (in.peek() != JsonToken.BEGIN_OBJECT) {
            throw new Malformed("expected a JSON object, found " + describe(in.peek()) + " " + at(in, 1));
        }
        Deque<JsonElement> open = new ArrayDeque<>();
        JsonObject root = null;
        String name = null; // the member name read last, for the value that follows it
        while (true) {
            JsonToken token = in.peek();
            JsonElement parent = open.peek();
            JsonElement value;
            switch (token) {
                case NAME -> {
                    name = checkedString(in.nextName(), in, limits, "a name");
                    if (((JsonObject) parent).has(name)) {
                        // The reader is just past the name: point at its closing quote.
                        throw new Malformed("the name " + Excerpt.quoted(name) + " appears twice in one object, "
                                + at(in, 1));
                    }
                    continue;
                }
                case BEGIN_OBJECT, BEGIN_ARRAY -> {
                    if (open.size() >= limits.maxDepth()) {
                        throw new Malformed("nested deeper than " + limits.maxDepth() + " levels " + at(in, 1));
                    }
                    if (token == JsonToken.BEGIN_OBJECT) {
                        in.beginObject();
                        value = new JsonObject();
                    } else {
                        in.beginArray();
                        value = new JsonArray();
                    }
                }
                case END_OBJECT, END_ARRAY -> {
                    if (token == JsonToken.END_OBJECT) {
                        in.endObject();
                    } else {
                        in.endArray();
                    }
                    open.pop();
                    if (open.isEmpty()) {
                        if (in.peek() != JsonToken.END_DOCUMENT) {
                            throw new Malformed("text after the JSON object " + at(in, 1));
                        }
                        return root;
                    }
                    continue;
                }
                case STRING -> value = new JsonPrimitive(checkedString(in.nextString(), in, limits, "a string"));
                case NUMBER -> value = new JsonPrimitive(new LazilyParsedNumber(checkedNumber(in, limits)));
                case BOOLEAN -> value = new JsonPrimitive(in.nextBoolean());
                case NULL -> {
                    in.nextNull();
                    value = JsonNull.INSTANCE;
                }
                // The reader throws at the end of the text while a value is open; this is for completeness.
                default -> throw new Malformed("unexpected " + describe(token) + " " + at(in, 0));
            }
            if (parent == null) {
                root = (JsonObject) value;
            } else if (parent instanceof JsonObject o) {
                o.add(name, value);
            } else {
                ((JsonArray) parent).add(value);
            }
            if (value.isJsonObject() || value.isJsonArray()) {
                open.push(value);
            }
        }
    }

    private static String checkedString(String s, JsonReader in, Limits limits, String what) throws Malformed {
        if (s.length() > limits.maxStringChars()) {
            throw new Malformed(what + " " + s.length() + " characters long, more than the " + limits.maxStringChars()
                    + " allowed, ending " + at(in, 1));
        }
        return s;
    }

    /** The next number's text, refused when it is too long or beyond a double's range. */
    private static String checkedNumber(JsonReader in, Limits limits) throws IOException, Malformed {
        String s = in.nextString();
        if (s.length() > limits.maxNumberChars()) {
            // Numbers sit on one line, so the reader, now just past the number, is its length past its start.
            throw new Malformed("a number " + s.length() + " characters long (" + Excerpt.of(s) + "), more than the "
                    + limits.maxNumberChars() + " allowed, " + at(in, s.length()));
        }
        if (!fitsADouble(s)) {
            throw new Malformed("the number " + Excerpt.of(s) + " is beyond the range of a double (about 1e-324 to "
                    + "1.8e308) " + at(in, s.length()));
        }
        return s;
    }

    /**
     * Whether a JSON number's text is zero or has a magnitude a double can hold (not 0 nor ±∞ once converted).
     * The exponent is checked on the BigDecimal's scale first, which is read, never expanded.
     */
    public static boolean fitsADouble(String number) {
        BigDecimal d;
        try {
            d = new BigDecimal(number);
        } catch (NumberFormatException e) {
            return false; // an exponent beyond ±2³¹: "1e99999999999"
        }
        if (Math.abs((long) d.scale()) > MAX_SCALE) {
            return false;
        }
        if (d.signum() == 0) {
            return true;
        }
        double v = d.doubleValue();
        return Double.isFinite(v) && v != 0;
    }

    /** "at line L column C", C being {@code back} columns before where the reader stands. */
    private static String at(JsonReader in, int back) {
        // JsonReader shows its position only in toString(): "JsonReader at line 3 column 12 path $.a".
        String s = in.toString();
        int line = s.indexOf(" at line "), column = s.indexOf(" column ", line + 1), path = s.indexOf(" path ", column + 1);
        if (line < 0 || column < 0 || path < 0) {
            return "";
        }
        try {
            long col = Long.parseLong(s.substring(column + 8, path)) - back;
            return "at line " + s.substring(line + 9, column) + " column " + Math.max(1, col);
        } catch (NumberFormatException e) {
            return "";
        }
    }

    /**
     * Gson's message for a syntax error, made one short line: its location kept, its path (which quotes names
     * from the file) and advice left out. A number too long for the reader to take in comes here too, as the
     * strict reader's "malformed JSON": say so when that is what stands at the location.
     */
    private static Malformed syntaxError(String message, String text, Limits limits) {
        String m = message == null ? "" : message;
        int at = m.indexOf(" at line ");
        String problem = at < 0 ? m : m.substring(0, at);
        String where = "";
        if (at >= 0) {
            int path = m.indexOf(" path ", at);
            where = (path < 0 ? m.substring(at + 1) : m.substring(at + 1, path)).replaceAll("\\s+", " ").strip();
            if (where.length() > 60) {
                where = "";
            }
        }
        if (problem.startsWith("Use JsonReader.setStrictness") || problem.isEmpty()) {
            int run = numberRunAt(text, where);
            if (run > limits.maxNumberChars()) {
                return new Malformed("a number " + run + " characters long, more than the " + limits.maxNumberChars()
                        + " allowed, " + where);
            }
            problem = "not valid JSON";
        } else {
            problem = Character.toLowerCase(problem.charAt(0)) + problem.substring(1);
        }
        return new Malformed(Excerpt.of(problem.strip(), 80) + (where.isEmpty() ? "" : " " + where));
    }

    /** The length of the run of number characters at "at line L column C" in {@code text} (0 if none). */
    private static int numberRunAt(String text, String where) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("at line (\\d{1,9}) column (\\d{1,9})").matcher(where);
        if (!m.matches()) {
            return 0;
        }
        int line = Integer.parseInt(m.group(1)), column = Integer.parseInt(m.group(2));
        int start = 0;
        for (int l = 1; l < line; l++) { // the reader counts lines by '\n' alone
            start = text.indexOf('\n', start) + 1;
            if (start == 0) {
                return 0;
            }
        }
        int i = start + column - 1, end = i;
        while (end < text.length() && "+-.0123456789eE".indexOf(text.charAt(end)) >= 0) {
            end++;
        }
        return i < 0 || i > text.length() ? 0 : end - i;
    }

    private static String describe(JsonToken t) {
        return switch (t) {
            case BEGIN_ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case END_DOCUMENT -> "the end of the text";
            default -> t.name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
