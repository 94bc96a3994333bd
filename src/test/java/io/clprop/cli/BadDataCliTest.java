package io.clprop.cli;

import io.clprop.data.IdxFiles;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static io.clprop.data.IdxFiles.images;
import static io.clprop.data.IdxFiles.labels;
import static io.clprop.data.IdxFiles.write;
import static io.clprop.data.IdxFiles.writeRaw;
import static io.clprop.data.MnistFolder.TEST_IMAGES;
import static io.clprop.data.MnistFolder.TEST_LABELS;
import static io.clprop.data.MnistFolder.TRAIN_IMAGES;
import static io.clprop.data.MnistFolder.TRAIN_LABELS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Broken IDX data through `clprop train`: each case starts from a folder that trains (checked by
 * {@link #theIntactFolderTrains}), breaks one thing, and expects status 2, one line naming the file and the
 * problem, no stack trace and no metrics file.
 */
class BadDataCliTest {
    static final int TRAIN = 12, TEST = 5, ROWS = 4, COLS = 3;

    @TempDir
    Path data;
    @TempDir
    Path out;

    @BeforeEach
    void intactFolder() {
        IdxFiles.writeMnistFolder(data, false, TRAIN, TEST, ROWS, COLS);
    }

    private CliTest.Result train(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("train", "--device", "cpu", "--data", data.toString(),
                "--hidden", "5", "--batch", "4", "--epochs", "1", "--metrics-json", out.resolve("m.json").toString()));
        args.addAll(Arrays.asList(extra));
        return CliTest.run(args.toArray(String[]::new));
    }

    @Test
    void theIntactFolderTrains() {
        CliTest.Result r = train();
        assertEquals(0, r.status(), r.err());
        assertTrue(Files.exists(out.resolve("m.json")));
    }

    /** A way to break the folder: does it and returns the file the message must name, with the problem. */
    record Breakage(String name, Function<Path, Path> breakIn, String problem) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Breakage> breakages() {
        int pixels = TRAIN * ROWS * COLS;
        return Stream.of(
                new Breakage("wrong magic", d -> writeRaw(d.resolve(TRAIN_IMAGES),
                        bytes(0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1)), "wrong magic number 0x12345678"),
                new Breakage("wrong element type (float)", d -> writeRaw(d.resolve(TRAIN_IMAGES),
                        IdxFiles.idx(0x0D, new int[]{TRAIN, ROWS, COLS}, new byte[4 * pixels])), "element type 0x0D"),
                new Breakage("truncated header", d -> writeRaw(d.resolve(TEST_IMAGES),
                        Arrays.copyOf(images(TEST, ROWS, COLS, new byte[TEST * ROWS * COLS]), 10)), "truncated header"),
                new Breakage("truncated data", d -> writeRaw(d.resolve(TRAIN_IMAGES),
                        images(TRAIN, ROWS, COLS, new byte[pixels - 7])), "truncated: expected " + pixels + " bytes"),
                new Breakage("image and label counts differ", d -> writeRaw(d.resolve(TRAIN_LABELS),
                        labels(IdxFiles.labelPattern(TRAIN + 1))), (TRAIN + 1) + " labels"),
                new Breakage("label outside the classes", d -> writeRaw(d.resolve(TEST_LABELS),
                        labels(bytes(1, 2, 10, 3, 4))), "label 10 at index 2 is outside 0..9"),
                new Breakage("empty file", d -> writeRaw(d.resolve(TRAIN_LABELS), new byte[0]), "empty file"),
                new Breakage("not gzip where .gz is claimed", d -> {
                    delete(d.resolve(TEST_LABELS));
                    return writeRaw(d.resolve(TEST_LABELS + ".gz"), labels(IdxFiles.labelPattern(TEST)));
                }, "is named .gz but is not gzip data"),
                new Breakage("truncated gzip", d -> {
                    delete(d.resolve(TRAIN_IMAGES));
                    byte[] gz = IdxFiles.gzip(images(TRAIN, ROWS, COLS, IdxFiles.pixelPattern(TRAIN, ROWS, COLS)));
                    return writeRaw(d.resolve(TRAIN_IMAGES + ".gz"), Arrays.copyOf(gz, gz.length / 2));
                }, "truncated gzip data"),
                new Breakage("a directory missing one of the four files", d -> {
                    delete(d.resolve(TEST_LABELS));
                    return d;
                }, "missing " + TEST_LABELS + " (or .gz)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("breakages")
    void isRefusedWithOneLineNamingTheFile(Breakage b) {
        Path named = b.breakIn().apply(data);
        BadInput.assertRejected(train(), out, "clprop: error: ", named.toString(), b.problem());
    }

    @Test
    void imageCountMismatchNamesBothFiles() {
        write(data, TRAIN_LABELS, false, labels(IdxFiles.labelPattern(TRAIN - 2)));
        BadInput.assertRejected(train(), out, data.resolve(TRAIN_IMAGES).toString(), TRAIN + " images",
                data.resolve(TRAIN_LABELS).toString(), (TRAIN - 2) + " labels");
    }

    @Test
    void debugAddsTheStackTraceAndStillWritesNothing() {
        writeRaw(data.resolve(TRAIN_LABELS), new byte[0]);
        CliTest.Result r = train("--debug");
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("\tat io.clprop."), "stack trace with --debug: " + r.err());
        assertTrue(r.err().strip().lines().reduce((a, b) -> b).orElseThrow().contains("empty file"),
                "the one-line message still ends the output: " + r.err());
        BadInput.assertNothingIn(out);
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static void delete(Path p) {
        try {
            Files.delete(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
