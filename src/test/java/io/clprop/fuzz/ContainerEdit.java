package io.clprop.fuzz;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A structure-aware edit of a {@link Container}: a header value replaced, removed or buried in brackets; a
 * section's count, name, type or values changed; a checkpoint's serialized generator damaged. The container
 * recomputes the header length and the CRC-32 afterwards, so these reach the checks a checksum would hide.
 * Nodes and sections are picked by an index taken modulo how many there are, so every edit applies to every
 * container; {@link #apply} logs what it changed by path.
 */
sealed interface ContainerEdit {
    void apply(Container c, StringBuilder log);

    /** JSON numbers at and beyond the edges: int and long limits, exponents no double holds, not integers. */
    List<String> NUMBERS = List.of("0", "-1", "1", "2.5", "-0.0", "1e0", "0.5e1", "2147483647", "2147483648",
            "-2147483648", "-2147483649", "4294967295", "4294967296", "9223372036854775807", "9223372036854775808",
            "-9223372036854775809", "1e38", "3.5e38", "1e309", "-1e309", "1e999999999", "-1e999999999",
            "1e-999999999", "1e2147483647", "1e2147483648", "1e-2147483649", "123456789012345678901234567890",
            "0." + "0".repeat(400) + "1", "1" + "0".repeat(20_000));
    /** Not JSON, but what a hand-edited header might hold; the strict reader must refuse them. */
    List<String> NOT_JSON = List.of("NaN", "-Infinity", "Infinity", "0x10", "+1", "01", "1.", ".5", "'x'", "");
    /** Values of other types: strings (empty, huge, with a line break, lone surrogate), null, booleans, containers. */
    List<String> OTHER = List.of("\"\"", "\"x\"", "\"relu\"", "\"identity\"", "\"softmax-ce\"", "\"mse\"", "\"mean\"",
            "\"zero\"", "\"error\"", "\"f32\"", "\"i32\"", "\"7\"", "\"NaN\"", "\"a\\nb\"", "\"\\u0000\"", "\"\\ud800\"",
            "\"" + "w".repeat(100_000) + "\"", "null", "true", "false", "{}", "[]", "[1,2]", "[null]", "{\"a\":1}",
            "[{}]", "[\"x\",\"x\"]");
    /** Up to deeper than a thread's stack can follow recursively (a few thousand levels). */
    List<Integer> DEPTHS = List.of(2, 64, 300, 5_000, 20_000);
    List<String> SECTION_NAMES = List.of("parameters", "best_parameters", "velocity", "adam_m", "adam_s", "order",
            "feature_mean", "feature_std", "feature_fill", "", "x", "parameters\n");
    List<Float> FLOATS = List.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1e38f,
            -3.4028235e38f, Float.MIN_VALUE, -1f, 1e-30f, 1e30f);
    List<Integer> INTS = List.of(-1, 0, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 16, 59, 60, 61);

    /** Replaces a number (any number of the header) with one of {@link #NUMBERS} or {@link #NOT_JSON}. */
    record SetNumber(int node, String text) implements ContainerEdit {
        public void apply(Container c, StringBuilder log) {
            List<Container.Node> numbers = c.nodes().stream()
                    .filter(n -> n.value().isJsonPrimitive() && n.value().getAsJsonPrimitive().isNumber()).toList();
            if (numbers.isEmpty()) {
                log.append("(no number to set); ");
                return;
            }
            Container.Node n = numbers.get(node % numbers.size());
            log.append(n.path()).append(": ").append(Container.show(n.value())).append(" → ").append(shorten(text))
                    .append("; ");
            n.replace(c.raw(text));
        }

        @Override
        public String toString() {
            return "set number #" + node + " to " + shorten(text);
        }
    }

    /** Replaces any value with text of another kind ({@link #OTHER}) or a number. */
    record SetValue(int node, String text) implements ContainerEdit {
        public void apply(Container c, StringBuilder log) {
            List<Container.Node> all = c.nodes();
            Container.Node n = all.get(node % all.size());
            log.append(n.path()).append(": ").append(Container.show(n.value())).append(" → ").append(shorten(text))
                    .append("; ");
            n.replace(c.raw(text));
        }

        @Override
        public String toString() {
            return "set value #" + node + " to " + shorten(text);
        }
    }

    /** Removes a key of an object or an element of an array. */
    record Remove(int node) implements ContainerEdit {
        public void apply(Container c, StringBuilder log) {
            List<Container.Node> all = c.nodes();
            Container.Node n = all.get(node % all.size());
            log.append("remove ").append(n.path()).append("; ");
            n.remove();
            c.edited();
        }

        @Override
        public String toString() {
            return "remove #" + node;
        }
    }

    /** Buries a value in {@code depth} arrays: [[[…value…]]]. */
    record Nest(int node, int depth) implements ContainerEdit {
        public void apply(Container c, StringBuilder log) {
            List<Container.Node> all = c.nodes();
            Container.Node n = all.get(node % all.size());
            log.append(n.path()).append(": nested in ").append(depth).append(" arrays; ");
            n.replace(c.raw("[".repeat(depth) + Container.json(n.value()) + "]".repeat(depth)));
        }

        @Override
        public String toString() {
            return "nest #" + node + " in " + depth + " arrays";
        }
    }

    /**
     * Changes a section's count by {@code delta}; with {@code resize} the data grows or shrinks to match (zero
     * bytes appended), so the file stays consistent and the count itself is what the reader must judge.
     */
    record ChangeCount(int section, int delta, boolean resize) implements ContainerEdit {
        public void apply(Container c, StringBuilder log) {
            if (c.entries.isEmpty()) {
                log.append("(no section); ");
                return;
            }
            int i = section % c.entries.size();
            JsonObject e = c.entries.get(i);
            long count = e.get("count").getAsLong(), now = count + delta;
            e.addProperty("count", now);
            c.edited();
            log.append("section ").append(e.get("name")).append(": count ").append(count).append(" → ").append(now);
            if (resize && now >= 0) {
                byte[] d = c.data.get(i);
                c.data.set(i, java.util.Arrays.copyOf(d, (int) (4 * now)));
                log.append(", data resized to match");
            }
            log.append("; ");
        }

        @Override
        public String toString() {
            return "count of section #" + section + (delta >= 0 ? " +" : " ") + delta + (resize ? " (data resized)" : "");
        }
    }

    record Rename(int section, String name) implements ContainerEdit {
        public void apply(Container c, StringBuilder log) {
            if (c.entries.isEmpty()) {
                log.append("(no section); ");
                return;
            }
            JsonObject e = c.entries.get(section % c.entries.size());
            log.append("section ").append(e.get("name")).append(" renamed \"").append(name.replace("\n", "\\n"))
                    .append("\"; ");
            e.addProperty("name", name);
            c.edited();
        }

        @Override
        public String toString() {
            return "rename section #" + section + " to \"" + name.replace("\n", "\\n") + "\"";
        }
    }

    /** f32 ↔ i32: the same bytes read as the other type. */
    record Retype(int section) implements ContainerEdit {
        public void apply(Container c, StringBuilder log) {
            if (c.entries.isEmpty()) {
                log.append("(no section); ");
                return;
            }
            JsonObject e = c.entries.get(section % c.entries.size());
            String to = e.get("type").getAsString().equals("f32") ? "i32" : "f32";
            log.append("section ").append(e.get("name")).append(" retyped ").append(to).append("; ");
            e.addProperty("type", to);
            c.edited();
        }

        @Override
        public String toString() {
            return "retype section #" + section;
        }
    }

    /** Removes a section: its table entry and its data. */
    record Drop(int section) implements ContainerEdit {
        public void apply(Container c, StringBuilder log) {
            if (c.entries.isEmpty()) {
                log.append("(no section); ");
                return;
            }
            int i = section % c.entries.size();
            JsonObject e = c.entries.remove(i);
            c.data.remove(i);
            JsonArray table = c.header.getAsJsonArray("sections");
            table.remove(e);
            c.edited();
            log.append("section ").append(e.get("name")).append(" dropped; ");
        }

        @Override
        public String toString() {
            return "drop section #" + section;
        }
    }

    /** Writes one value of an f32 section: NaN, infinities, zero, huge, tiny. */
    record SetFloat(int section, int index, float value) implements ContainerEdit {
        public void apply(Container c, StringBuilder log) {
            setValue(c, "f32", section, index, log, String.valueOf(value),
                    b -> b.putFloat(value));
        }

        @Override
        public String toString() {
            return "f32 section #" + section + "[" + index + "] = " + value;
        }
    }

    /** Writes one value of an i32 section (a checkpoint's batch order): negative, out of range, a repeat. */
    record SetInt(int section, int index, int value) implements ContainerEdit {
        public void apply(Container c, StringBuilder log) {
            setValue(c, "i32", section, index, log, String.valueOf(value), b -> b.putInt(value));
        }

        @Override
        public String toString() {
            return "i32 section #" + section + "[" + index + "] = " + value;
        }
    }

    /** Damages the bytes of a checkpoint's serialized random generator (the base64 "rng" string). */
    record DamageRng(List<ByteMutation> mutations) implements ContainerEdit {
        public void apply(Container c, StringBuilder log) {
            JsonElement rng = c.header.get("rng");
            if (rng == null || !rng.isJsonPrimitive()) {
                log.append("(no rng); ");
                return;
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(rng.getAsString());
            } catch (IllegalArgumentException notBase64) { // an earlier edit replaced it
                log.append("(rng is not base64); ");
                return;
            }
            log.append("rng (").append(bytes.length).append(" bytes): ");
            bytes = ByteMutation.applyAll(mutations, bytes, log);
            c.header.addProperty("rng", Base64.getEncoder().encodeToString(bytes));
            c.edited();
        }

        @Override
        public String toString() {
            return "damage rng: " + mutations;
        }
    }

    private static void setValue(Container c, String type, int section, int index, StringBuilder log, String shown,
                                 java.util.function.Consumer<ByteBuffer> put) {
        List<Integer> ofType = new ArrayList<>();
        for (int i = 0; i < c.entries.size(); i++) {
            if (c.entries.get(i).get("type").getAsString().equals(type) && c.data.get(i).length > 0) {
                ofType.add(i);
            }
        }
        if (ofType.isEmpty()) {
            log.append("(no ").append(type).append(" section); ");
            return;
        }
        int i = ofType.get(section % ofType.size());
        byte[] d = c.data.get(i).clone();
        int k = index % (d.length / 4);
        put.accept(ByteBuffer.wrap(d, 4 * k, 4).order(ByteOrder.LITTLE_ENDIAN));
        c.data.set(i, d);
        log.append("section ").append(c.entries.get(i).get("name")).append("[").append(k).append("] = ").append(shown)
                .append("; ");
    }

    private static String shorten(String s) {
        String t = s.replace("\n", "\\n");
        return t.length() <= 40 ? t : t.substring(0, 20) + "…(" + t.length() + " chars)…" + t.substring(t.length() - 8);
    }

    // ---- arbitraries ------------------------------------------------------------------------------------

    /** Header edits: numbers, values of other types, removals, nesting. */
    static Arbitrary<ContainerEdit> headerEdit() {
        Arbitrary<Integer> node = Arbitraries.integers().between(0, 10_000);
        List<String> numbers = new ArrayList<>(NUMBERS);
        numbers.addAll(NOT_JSON);
        List<String> values = new ArrayList<>(OTHER);
        values.addAll(NUMBERS);
        return Arbitraries.oneOf(List.of(
                Combinators.combine(node, Arbitraries.of(numbers)).as(SetNumber::new),
                Combinators.combine(node, Arbitraries.of(numbers)).as(SetNumber::new),
                Combinators.combine(node, Arbitraries.of(values)).as(SetValue::new),
                node.map(Remove::new),
                Combinators.combine(node, Arbitraries.of(DEPTHS)).as(Nest::new)));
    }

    /** Section edits: count ±1 (with or without matching data), name, type, removal, values. */
    static Arbitrary<ContainerEdit> sectionEdit() {
        Arbitrary<Integer> section = Arbitraries.integers().between(0, 100);
        Arbitrary<Integer> index = Arbitraries.integers().between(0, 100_000);
        return Arbitraries.oneOf(List.of(
                Combinators.combine(section, Arbitraries.of(-1, 1), Arbitraries.of(false, true)).as(ChangeCount::new),
                Combinators.combine(section, Arbitraries.of(SECTION_NAMES)).as(Rename::new),
                section.map(Retype::new),
                section.map(Drop::new),
                Combinators.combine(section, index, Arbitraries.of(FLOATS)).as(SetFloat::new),
                Combinators.combine(section, index, Arbitraries.of(FLOATS)).as(SetFloat::new),
                Combinators.combine(section, index, Arbitraries.of(INTS)).as(SetInt::new)));
    }

    static Arbitrary<ContainerEdit> rngEdit(int rngLength) {
        return ByteMutation.some(rngLength, 3).map(DamageRng::new);
    }
}
