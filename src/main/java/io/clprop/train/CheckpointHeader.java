package io.clprop.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.clprop.util.UserError;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A checkpoint header's fields, each read with its JSON type and range checked: a problem is a one-line
 * {@link UserError} naming the file and the field ({@code FILE: checkpoint field "epochs_done": 2.5 is not a
 * whole number}).
 *
 * <p>Integers are read from their text, whose length is bounded, and compared as {@link BigDecimal}s; never
 * with Gson's getAsInt/getAsLong, which truncate 2.5 to 2 without a word and turn "1e999999999" into an int
 * by way of BigDecimal.intValue(), expanding the exponent into a billion-digit number (a hang).
 */
final class CheckpointHeader {
    /** Longer than any integer or float clprop writes (Long.MIN_VALUE has 20 characters, a double at most 24). */
    private static final int MAX_NUMBER_TEXT = 40;
    /** How much of a bad string value a message quotes. */
    private static final int QUOTE_CHARS = 40;
    /** The numbers of a history entry (absent or null: NaN, as {@link EpochJson#epochFromJson} reads them). */
    private static final List<String> EPOCH_NUMBERS = List.of("train_loss", "validation_loss", "validation_accuracy",
            "test_accuracy", "learning_rate", "seconds", "samples_per_sec", "eval_seconds");

    private final Path file;
    private final JsonObject header;
    /** The field being read: what a failure no check foresaw is reported against. */
    private String current;

    CheckpointHeader(Path file, JsonObject header) {
        this.file = file;
        this.header = header;
    }

    UserError error(String field, String problem) {
        return new UserError(file + ": checkpoint field \"" + field + "\": " + problem);
    }

    /** For an exception no check foresaw: names the field being read, not the exception. */
    UserError unforeseen() {
        return current == null ? new UserError(file + ": not a complete clprop checkpoint")
                : error(current, "not in the form clprop writes");
    }

    /** The field's value; absent or null is an error. */
    JsonElement get(String field) {
        current = field;
        JsonElement e = header.get(field);
        if (e == null || e.isJsonNull()) {
            throw error(field, "missing");
        }
        return e;
    }

    String string(String field) {
        JsonElement e = get(field);
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw error(field, describe(e) + " is not a string");
        }
        return e.getAsString();
    }

    JsonObject object(String field) {
        JsonElement e = get(field);
        if (!e.isJsonObject()) {
            throw error(field, "not an object");
        }
        return e.getAsJsonObject();
    }

    /** A whole number in {@code min..max}. */
    long integer(String field, long min, long max) {
        JsonElement e = get(field);
        try {
            return integer(e, min, max);
        } catch (BadValue b) {
            throw error(field, b.getMessage());
        }
    }

    /** As {@link #integer}, or null when the field is absent. */
    Long optionalInteger(String field, long min, long max) {
        return header.has(field) ? integer(field, min, max) : null;
    }

    /** A number; absent or null gives {@code ifNull} (how non-finite values are written). */
    double numberOrNull(String field, double ifNull) {
        current = field;
        try {
            return numberOrNull(header.get(field), ifNull);
        } catch (BadValue b) {
            throw error(field, b.getMessage());
        }
    }

    /** Base64 text of at most {@code maxChars} characters, decoded. The length is checked before decoding. */
    byte[] base64(String field, int maxChars) {
        String text = string(field);
        if (text.length() > maxChars) {
            throw error(field, text.length() + " characters, more than the " + maxChars + " it may have");
        }
        try {
            return Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw error(field, "not base64 text");
        }
    }

    /** The "history" array, each entry's numbers checked (not yet their count or order: see {@link TrainerStateCheck}). */
    List<EpochMetrics> history(String field) {
        JsonElement h = get(field);
        if (!h.isJsonArray()) {
            throw error(field, "not an array");
        }
        JsonArray entries = h.getAsJsonArray();
        List<EpochMetrics> out = new ArrayList<>(entries.size());
        for (int i = 0; i < entries.size(); i++) {
            String entry = "entry " + (i + 1);
            if (!entries.get(i).isJsonObject()) {
                throw error(field, entry + " is not an object");
            }
            JsonObject e = entries.get(i).getAsJsonObject();
            String key = "epoch";
            try {
                integer(e.get(key), 0, Integer.MAX_VALUE);
                for (String k : EPOCH_NUMBERS) {
                    key = k;
                    numberOrNull(e.get(k), Double.NaN);
                }
                if (e.has("check")) {
                    key = "check";
                    if (!e.get("check").isJsonObject()) {
                        throw new BadValue("not an object");
                    }
                    JsonObject c = e.getAsJsonObject("check");
                    key = "check.steps";
                    integer(c.get("steps"), 0, Integer.MAX_VALUE);
                    for (String k : List.of("max_rel", "tolerance")) {
                        key = "check." + k;
                        numberOrNull(c.get(k), Double.NaN);
                    }
                }
            } catch (BadValue b) {
                throw error(field, entry + "'s \"" + key + "\": " + b.getMessage());
            }
            out.add(EpochJson.epochFromJson(e));
        }
        return out;
    }

    // ---- single values -------------------------------------------------------------------------------

    /** A value that is not what its field holds; the message says what it is ("2.5 is not a whole number"). */
    private static final class BadValue extends RuntimeException {
        BadValue(String problem) {
            super(problem);
        }
    }

    private static long integer(JsonElement e, long min, long max) {
        if (e == null || e.isJsonNull()) {
            throw new BadValue("missing");
        }
        String text = numberText(e);
        String range = min + ".." + max;
        if (text.length() > MAX_NUMBER_TEXT) {
            throw new BadValue("a " + text.length() + "-character number, not a whole number in " + range);
        }
        BigDecimal d;
        try {
            d = new BigDecimal(text);
        } catch (NumberFormatException overflow) { // JSON allows exponents beyond BigDecimal's int scale
            throw new BadValue(text + " is not a whole number in " + range);
        }
        // compareTo looks at the exponents first, so 1E+999999999 is compared without being expanded.
        if (d.compareTo(BigDecimal.valueOf(min)) < 0 || d.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw new BadValue(text + " is outside " + range);
        }
        if (d.signum() != 0 && d.stripTrailingZeros().scale() > 0) {
            throw new BadValue(text + " is not a whole number");
        }
        return d.longValueExact();
    }

    private static double numberOrNull(JsonElement e, double ifNull) {
        if (e == null || e.isJsonNull()) {
            return ifNull;
        }
        numberText(e);
        return e.getAsDouble(); // Double.parseDouble: an overlong exponent gives an infinity, at once
    }

    /** The number's text as written in the file. */
    private static String numberText(JsonElement e) {
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new BadValue(describe(e) + " is not a number");
        }
        return e.getAsString();
    }

    /** A value for a message, on one line: a string quoted and escaped as JSON, and cut short. */
    private static String describe(JsonElement e) {
        if (e.isJsonObject()) {
            return "an object";
        }
        if (e.isJsonArray()) {
            return "an array";
        }
        String json = e.toString(); // JSON escapes line breaks, so the message stays one line
        if (e instanceof JsonPrimitive p && p.isNumber() && json.length() > MAX_NUMBER_TEXT) {
            return "a " + json.length() + "-character number";
        }
        return json.length() > QUOTE_CHARS ? json.substring(0, QUOTE_CHARS) + "…" : json;
    }
}
