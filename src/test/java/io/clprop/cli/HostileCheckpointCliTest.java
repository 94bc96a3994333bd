package io.clprop.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.clprop.TestDevices;
import io.clprop.model.EditableClpropFile;
import io.clprop.train.Checkpoint;
import org.apache.commons.math3.random.AbstractWell;
import org.apache.commons.math3.random.MersenneTwister;
import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `train --resume` with a checkpoint edited by hand and its CRC-32 recomputed, so that only the reader's own
 * checks stand between the edited values and the device: a batch-order index outside the training set
 * (which the gather kernel would use as a row index), a section of the wrong length (a host array shorter
 * or longer than the device buffer it is written to), header numbers out of range or inconsistent, and a
 * random-generator state that would throw later, mid-training. Each must be refused with one line naming
 * the file and the field, status 2, and nothing written; the index cases also with the OpenCL device.
 */
class HostileCheckpointCliTest {
    /**
     * Adam with early stopping, so the checkpoint holds every kind of section: parameters, two optimizer
     * state sections, best_parameters and order. 500 samples less the 20 % validation split: 400 training
     * samples, 8 steps of 50 per epoch.
     */
    static final String[] RUN = {"train", "--hidden", "16", "--batch", "50", "--train-limit", "500",
            "--test-limit", "100", "--optimizer", "adam", "--validation", "0.2", "--patience", "3"};
    static final int TRAIN = 400;
    static final int STEPS_PER_EPOCH = 8;
    static final int EPOCHS_DONE = 2;
    @TempDir
    static Path shared;
    static byte[] good;

    @BeforeAll
    static void aGoodCheckpoint() throws IOException {
        TestDevices.fashionMnist();
        Path ckpt = shared.resolve("good.ckpt");
        CliTest.Result r = CliTest.run(concat(RUN, "--device", "cpu", "--epochs", String.valueOf(EPOCHS_DONE),
                "--checkpoint", ckpt.toString()));
        assertEquals(0, r.status(), r.err());
        good = Files.readAllBytes(ckpt);
        EditableClpropFile f = decodeGood();
        // The cases below are written for this shape; say so plainly if the run's settings drift.
        assertEquals(Set.of("parameters", "adam_m", "adam_s", "best_parameters"), f.f32.keySet());
        assertEquals(TRAIN, f.i32.get("order").length);
        assertEquals(EPOCHS_DONE * STEPS_PER_EPOCH, f.header.get("global_step").getAsInt());
    }

    /** One hand edit and the part of the error line that names the field and the problem. */
    record Case(String name, Consumer<EditableClpropFile> edit, String expect) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        List<Case> c = new ArrayList<>();
        // The batch order: row indices for the gather kernel.
        c.add(new Case("order index n", f -> f.i32.get("order")[3] = TRAIN,
                "section \"order\": value 400 at position 3 is outside 0..399"));
        c.add(new Case("order index -1", f -> f.i32.get("order")[3] = -1,
                "section \"order\": value -1 at position 3 is outside 0..399"));
        c.add(new Case("order repeat", f -> f.i32.get("order")[5] = f.i32.get("order")[3],
                "section \"order\": at position 5 repeats position 3"));
        c.add(new Case("order one short", f -> f.i32.put("order", Arrays.copyOf(f.i32.get("order"), TRAIN - 1)),
                "section \"order\": 399 values, expected 400"));
        c.add(new Case("order one long", f -> f.i32.put("order", Arrays.copyOf(f.i32.get("order"), TRAIN + 1)),
                "section \"order\": 401 values, expected 400"));
        c.add(new Case("order as f32", f -> f.f32.put("order", toFloats(f.i32.remove("order"))), "section \"order\": "));
        // Weight-sized sections: written to device buffers of the network's parameter count.
        for (String name : List.of("parameters", "adam_m", "adam_s", "best_parameters")) {
            c.add(new Case(name + " one short", f -> f.f32.put(name, Arrays.copyOf(f.f32.get(name),
                    f.f32.get(name).length - 1)), "section \"" + name + "\": 12729 values, expected 12730"));
            c.add(new Case(name + " one long", f -> f.f32.put(name, Arrays.copyOf(f.f32.get(name),
                    f.f32.get(name).length + 1)), "section \"" + name + "\": 12731 values, expected 12730"));
        }
        c.add(new Case("adam_s missing", f -> f.f32.remove("adam_s"), "section \"adam_s\": missing"));
        c.add(new Case("best_parameters missing", f -> f.f32.remove("best_parameters"),
                "section \"best_parameters\": missing"));
        c.add(new Case("extra velocity", f -> f.f32.put("velocity", new float[12730]),
                "section \"velocity\": not one the run keeps"));
        c.add(new Case("extra i32 section", f -> f.i32.put("more", new int[3]), "section \"more\": not one the run keeps"));
        c.add(new Case("parameter NaN", f -> f.f32.get("parameters")[7] = Float.NaN,
                "section \"parameters\": value NaN at position 7 is not finite"));
        c.add(new Case("best parameter infinite", f -> f.f32.get("best_parameters")[0] = Float.NEGATIVE_INFINITY,
                "section \"best_parameters\": value -Infinity at position 0 is not finite"));
        c.add(new Case("adam moment NaN", f -> f.f32.get("adam_m")[3] = Float.NaN,
                "section \"adam_m\": value NaN at position 3 is not finite"));
        // Header integers: counts and positions the trainer continues from.
        c.add(header("epochs_done", -1, "field \"epochs_done\": -1 is outside 0.."));
        c.add(header("epochs_done", new BigDecimal("1e30"), "field \"epochs_done\": 1E+30 is outside 0.."));
        c.add(header("epochs_done", 2.5, "field \"epochs_done\": 2.5 is not a whole number"));
        c.add(header("epochs_done", 1L << 40, "field \"epochs_done\": 1099511627776 is outside 0..2147483647"));
        c.add(header("epochs_done", "two", "field \"epochs_done\": \"two\" is not a number"));
        c.add(header("epochs_done", 3, "field \"global_step\": 16, expected 24 (epochs_done 3"));
        c.add(header("train_samples", new BigDecimal("1e30"), "field \"train_samples\": 1E+30 is outside"));
        c.add(header("train_crc32", -1, "field \"train_crc32\": -1 is outside 0..4294967295"));
        c.add(header("global_step", EPOCHS_DONE * STEPS_PER_EPOCH + 1,
                "field \"global_step\": 17, expected 16 (epochs_done 2 × 8 steps per epoch"));
        c.add(header("global_step", Long.MAX_VALUE, "field \"global_step\": 9223372036854775807, expected 16"));
        c.add(header("optimizer_steps", EPOCHS_DONE * STEPS_PER_EPOCH - 1,
                "field \"optimizer_steps\": 15, expected 16"));
        c.add(header("best_epoch", EPOCHS_DONE + 1, "field \"best_epoch\": 3 is outside 0..2"));
        c.add(header("epochs_since_best", EPOCHS_DONE + 1, "field \"epochs_since_best\": 3 is outside 0..2"));
        c.add(header("epochs_since_best", -1, "field \"epochs_since_best\": -1 is outside 0..2147483647"));
        c.add(new Case("epochs_since_best inconsistent", f -> {
            int best = f.header.get("best_epoch").getAsInt();
            f.header.addProperty("best_epoch", best == EPOCHS_DONE ? best - 1 : best + 1);
        }, "field \"epochs_since_best\": "));
        c.add(header("best_validation_loss", "low", "field \"best_validation_loss\": \"low\" is not a number"));
        c.add(new Case("network missing", f -> f.header.remove("network"), "field \"network\": missing"));
        c.add(new Case("config not an object", f -> f.header.addProperty("config", 5), "field \"config\": not an object"));
        c.add(new Case("history one short", f -> f.header.getAsJsonArray("history").remove(1),
                "field \"history\": 1 entries, expected 2"));
        c.add(new Case("history epochs out of order", f -> history(f, 1).addProperty("epoch", 7),
                "field \"history\": entry 2 is of epoch 7, expected 2"));
        c.add(new Case("history epoch huge", f -> history(f, 0).add("epoch", new JsonPrimitive(new BigDecimal("1e30"))),
                "field \"history\": entry 1's \"epoch\": 1E+30 is outside"));
        c.add(new Case("history loss a string", f -> history(f, 0).addProperty("train_loss", "x"),
                "field \"history\": entry 1's \"train_loss\": \"x\" is not a number"));
        c.add(new Case("history entry not an object", f -> f.header.getAsJsonArray("history").set(0, new JsonPrimitive(1)),
                "field \"history\": entry 1 is not an object"));
        // The random generator: a Java-serialized Well19937c whose fields index its own arrays.
        c.add(new Case("rng truncated", f -> {
            byte[] rng = Base64.getDecoder().decode(f.header.get("rng").getAsString());
            f.header.addProperty("rng", Base64.getEncoder().encodeToString(Arrays.copyOf(rng, rng.length / 2)));
        }, "field \"rng\": not a serialized Well19937c"));
        c.add(header("rng", "not base64!", "field \"rng\": not base64"));
        c.add(header("rng", 5, "field \"rng\": not a string"));
        c.add(header("rng", "A".repeat(1 << 20), "field \"rng\": 1048576 characters, more than"));
        c.add(rng("rng index 624", g -> set(g, "index", 624), "field \"rng\": index 624 is outside 0..623"));
        c.add(rng("rng index -1", g -> set(g, "index", -1), "field \"rng\": index -1 is outside 0..623"));
        c.add(rng("rng v short", g -> set(g, "v", new int[10]), "field \"rng\": a state of 10 words, expected 624"));
        for (String table : List.of("iRm1", "iRm2", "i1", "i2", "i3")) {
            c.add(rng("rng table " + table, g -> {
                int[] t = ((int[]) get(g, table)).clone();
                t[t.length - 1] = 1 << 20;
                set(g, table, t);
            }, "field \"rng\": index table " + table + " differs from Well19937c's"));
        }
        c.add(rng("rng table i3 short", g -> set(g, "i3", new int[3]), "field \"rng\": index table i3 differs"));
        c.add(new Case("rng a MersenneTwister", f -> f.header.addProperty("rng", serialized(new MersenneTwister(1))),
                "field \"rng\": a serialized MersenneTwister, expected a Well19937c"));
        c.add(new Case("rng an int array", f -> f.header.addProperty("rng", serialized(new int[624])),
                "field \"rng\": a serialized int[], expected a Well19937c"));
        c.add(new Case("rng a java.util.Random", f -> f.header.addProperty("rng", serialized(new java.util.Random(1))),
                "field \"rng\": not a serialized Well19937c"));
        return c.stream();
    }

    /** The cases whose values become device indices or transfer sizes, run on OpenCL as well. */
    static Stream<Case> deviceCases() {
        Set<String> names = Set.of("order index n", "order index -1", "order repeat", "order one short",
                "order one long", "parameters one short", "parameters one long", "adam_m one short",
                "adam_s one long", "best_parameters one short", "adam_s missing", "rng index 624");
        List<Case> picked = cases().filter(c -> names.contains(c.name())).toList();
        assertEquals(names.size(), picked.size(), "every named case exists");
        return picked.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void refusedOnTheCpuPath(Case c, @TempDir Path dir) throws IOException {
        assertRefused(c, "cpu", dir);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deviceCases")
    void refusedOnOpenCl(Case c, @TempDir Path dir) throws IOException {
        TestDevices.openCl().close(); // skip without OpenCL; a failure in CI
        assertRefused(c, "opencl", dir);
    }

    /**
     * The control: the good checkpoint decoded and encoded again unchanged, and with a different but valid
     * generator, resumes — so what the cases above refuse is their edit, not the editing.
     */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl"})
    void anUneditedOrValidlyEditedCheckpointResumes(String device, @TempDir Path dir) throws IOException {
        if (device.equals("opencl")) {
            TestDevices.openCl().close();
        }
        for (Case c : List.of(new Case("unchanged", f -> { }, ""), rng("another generator", g -> { }, ""))) {
            Path ckpt = dir.resolve(c.name() + ".ckpt");
            Files.write(ckpt, edited(c));
            CliTest.Result r = CliTest.run(concat(RUN, "--device", device, "--epochs", "3", "--resume", ckpt.toString()));
            assertEquals(0, r.status(), c.name() + ": " + r.err());
            assertTrue(r.out().contains("resumed " + ckpt + " after epoch 2"), r.out());
            assertTrue(r.out().contains("epoch   3"), r.out());
        }
    }

    private static void assertRefused(Case c, String device, Path dir) throws IOException {
        byte[] bytes = edited(c);
        Path ckpt = dir.resolve("run.ckpt");
        Files.write(ckpt, bytes);
        Path json = dir.resolve("m.json"), model = dir.resolve("m.model"), next = dir.resolve("next.ckpt");
        CliTest.Result r = CliTest.run(concat(RUN, "--device", device, "--epochs", "3", "--resume", ckpt.toString(),
                "--metrics-json", json.toString(), "--save", model.toString(), "--checkpoint", next.toString()));
        String err = r.err().strip();
        assertEquals(2, r.status(), c.name() + ": " + err);
        assertEquals(1, err.lines().count(), err);
        // "section \"order\": value 400 …": the field first, right after the file, then the problem.
        int end = c.expect().indexOf("\": ") + 1;
        String field = c.expect().substring(0, end), problem = c.expect().substring(end + 2);
        assertTrue(err.startsWith("clprop: error: " + ckpt + ": checkpoint " + field + ": "),
                "expected the file and " + field + " first in: " + err);
        assertTrue(err.contains(problem), "expected '" + problem + "' in: " + err);
        assertFalse(err.contains("internal error") || err.contains("Exception") || err.contains("\tat "), err);
        assertFalse(r.out().contains("resumed"), r.out());
        assertArrayEquals(bytes, Files.readAllBytes(ckpt), "the file is left as it was");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "nothing written beside the checkpoint");
        }
    }

    // ---- editing -------------------------------------------------------------------------------------

    private static EditableClpropFile decodeGood() {
        return EditableClpropFile.decode(good, Checkpoint.MAGIC);
    }

    private static byte[] edited(Case c) {
        EditableClpropFile f = decodeGood();
        c.edit().accept(f);
        return f.encode();
    }

    private static Case header(String field, Object value, String expect) {
        String shown = value instanceof String s && s.length() > 40 ? s.length() + " characters" : String.valueOf(value);
        // Nothing in the names may be long: they are the parameterized tests' display names.
        return new Case(field + " = " + shown, f -> f.header.add(field, json(value)), expect);
    }

    private static Case rng(String name, Consumer<Well19937c> tamper, String expect) {
        return new Case(name, f -> f.header.addProperty("rng", forgedRng(tamper)), expect);
    }

    private static float[] toFloats(int[] a) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i];
        }
        return out;
    }

    private static JsonElement json(Object value) {
        if (value instanceof Number n) {
            return new JsonPrimitive(n);
        }
        return new JsonPrimitive((String) value);
    }

    private static JsonObject history(EditableClpropFile f, int i) {
        JsonArray h = f.header.getAsJsonArray("history");
        return h.get(i).getAsJsonObject();
    }

    /** A generator's serialized form, base64, after {@code tamper} changed its fields. */
    private static String forgedRng(Consumer<Well19937c> tamper) {
        Well19937c g = new Well19937c(77);
        g.nextInt(); // move the index off its initial value
        tamper.accept(g);
        return serialized(g);
    }

    private static String serialized(Object o) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    private static Field field(String name) {
        try {
            Field f = AbstractWell.class.getDeclaredField(name);
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException e) {
            throw new AssertionError(e);
        }
    }

    private static Object get(Object o, String name) {
        try {
            return field(name).get(o);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    private static void set(Object o, String name, Object value) {
        try {
            field(name).set(o, value);
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
