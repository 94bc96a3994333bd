package io.clprop.util;

import com.google.gson.JsonElement;
import com.google.gson.JsonPrimitive;

import java.math.BigDecimal;
import java.util.function.Function;

/**
 * Numbers out of a JSON tree read from a file, checked before they are used: {@code getAsInt()} on a
 * header value wraps silently ("4294967297" is 1), throws unchecked exceptions on a string or an array, and
 * on a number like 1e999999999 either throws or expands it digit by digit. These read the number's text,
 * refuse it unless it is what the field needs, and quote it cut short ({@link Excerpt}) in the message.
 *
 * <p>Each takes {@code what}, the field as a message names it ("network.inputs"), and {@code error}, which
 * makes the exception to throw from a message: {@code problem -> new UserError(file + ": " + problem)}, or
 * {@code IllegalArgumentException::new} for a caller that adds the file itself.
 */
public final class JsonNumbers {
    /** Longer than any number a clprop file holds (see {@link BoundedJson.Limits#HEADER}). */
    private static final int MAX_CHARS = 40;
    /** As in {@link BoundedJson}: no double has a decimal exponent this far out. */
    private static final int MAX_SCALE = 400;

    private JsonNumbers() {
    }

    /**
     * A whole number from {@code min} to {@code max} ("3", "3.0", "3e2" are whole; "3.5" is not).
     *
     * @param v null when the field is absent
     */
    public static long wholeNumber(JsonElement v, long min, long max, String what,
                                   Function<String, ? extends RuntimeException> error) {
        BigDecimal d = decimal(v, what, range(min, max), error);
        boolean whole = d.signum() == 0 || d.stripTrailingZeros().scale() <= 0;
        if (!whole || d.compareTo(BigDecimal.valueOf(min)) < 0 || d.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw error.apply(what + " must be " + range(min, max) + ", got " + shown(v));
        }
        return d.longValueExact();
    }

    private static String range(long min, long max) {
        return min == 1 ? "a positive whole number (at most " + max + ")"
                : min == 0 ? "a whole number from 0 to " + max : "a whole number from " + min + " to " + max;
    }

    /** {@link #wholeNumber} for an int field. */
    public static int wholeInt(JsonElement v, int min, int max, String what,
                               Function<String, ? extends RuntimeException> error) {
        return (int) wholeNumber(v, min, max, what, error);
    }

    /**
     * A finite double (a number beyond a double's range is refused, not made infinite).
     *
     * @param v null when the field is absent
     */
    public static double finiteDouble(JsonElement v, String what, Function<String, ? extends RuntimeException> error) {
        BigDecimal d = decimal(v, what, "a finite number", error);
        double x = d.doubleValue();
        if (!Double.isFinite(x)) {
            throw error.apply(what + " must be a finite number, got " + shown(v));
        }
        return x;
    }

    /** {@link #finiteDouble}, except that an absent field or null reads as NaN (how clprop writes NaN). */
    public static double finiteDoubleOrNaN(JsonElement v, String what,
                                           Function<String, ? extends RuntimeException> error) {
        return v == null || v.isJsonNull() ? Double.NaN : finiteDouble(v, what, error);
    }

    /** A JSON number as a BigDecimal whose scale is small enough to compute with. */
    private static BigDecimal decimal(JsonElement v, String what, String kind,
                                      Function<String, ? extends RuntimeException> error) {
        if (v == null) {
            throw error.apply(what + " is missing: it must be " + kind);
        }
        if (!v.isJsonPrimitive() || !((JsonPrimitive) v).isNumber()) {
            throw error.apply(what + " must be " + kind + ", got " + shown(v));
        }
        // The text as written (Gson keeps it), not a conversion: nothing here expands the number.
        String text = v.getAsString();
        BigDecimal d = null;
        if (text.length() <= MAX_CHARS) {
            try {
                d = new BigDecimal(text);
            } catch (NumberFormatException e) {
                d = null; // an exponent beyond ±2³¹, or a Number whose text is not decimal
            }
        }
        if (d == null || Math.abs((long) d.scale()) > MAX_SCALE) {
            throw error.apply(what + " must be " + kind + ", got " + shown(v) + " (out of range)");
        }
        return d;
    }

    /**
     * A value as a message shows it: a number or string cut short (a string quoted), else its kind. Never
     * {@code toString()} of an array or object, which would print (and recurse into) all of it.
     */
    public static String shown(JsonElement v) {
        if (v == null) {
            return "nothing";
        }
        if (v.isJsonNull()) {
            return "null";
        }
        if (v.isJsonArray()) {
            return "an array";
        }
        if (v.isJsonObject()) {
            return "an object";
        }
        JsonPrimitive p = v.getAsJsonPrimitive();
        if (p.isString()) {
            return "the string " + Excerpt.quoted(p.getAsString());
        }
        return Excerpt.of(p.getAsString());
    }
}
