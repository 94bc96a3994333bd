package io.clprop.cli;

import io.clprop.TestDevices;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import static io.clprop.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `train --resume` with a damaged or mismatched checkpoint: one line naming the file and the problem,
 * status 2, no stack trace, and nothing written (no metrics, model or new checkpoint), the damaged file
 * left as it was.
 */
class BadCheckpointCliTest {
    static final String[] BASE = {"train", "--device", "cpu", "--hidden", "16", "--batch", "50", "--test-limit", "100"};
    static final String[] RUN = concat(BASE, "--epochs", "2", "--train-limit", "500");
    @TempDir
    static Path shared;
    static byte[] good;

    @BeforeAll
    static void aGoodCheckpoint() throws IOException {
        TestDevices.fashionMnist();
        Path ckpt = shared.resolve("good.ckpt");
        CliTest.Result r = run(concat(BASE, "--epochs", "1", "--train-limit", "500", "--checkpoint", ckpt.toString()));
        assertEquals(0, r.status(), r.err());
        good = Files.readAllBytes(ckpt);
    }

    @ParameterizedTest
    @ValueSource(strings = {"flipped byte", "truncated header", "truncated data", "empty", "wrong magic",
            "version 2", "a model file"})
    void damagedCheckpoints(String damage, @TempDir Path dir) throws IOException {
        byte[] bytes = good.clone();
        String expect;
        switch (damage) {
            case "flipped byte" -> {
                bytes[bytes.length - 100] ^= 0x01;
                expect = "CRC";
            }
            case "truncated header" -> {
                bytes = Arrays.copyOf(bytes, 40);
                expect = "truncated";
            }
            case "truncated data" -> {
                bytes = Arrays.copyOf(bytes, bytes.length - 1000);
                expect = "truncated";
            }
            case "empty" -> {
                bytes = new byte[0];
                expect = "empty";
            }
            case "wrong magic" -> {
                bytes[0] = 'X';
                expect = "not a clprop checkpoint";
            }
            case "version 2" -> {
                ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2);
                expect = "version 2";
            }
            default -> {
                bytes[6] = 'M';
                bytes[7] = 'F';
                expect = "not a clprop checkpoint";
            }
        }
        Path ckpt = dir.resolve("run.ckpt");
        Files.write(ckpt, bytes);
        assertRefused(dir, ckpt, bytes, expect, RUN);
    }

    @Test
    void otherArchitectureOrSettings(@TempDir Path dir) throws IOException {
        Path ckpt = dir.resolve("run.ckpt");
        Files.write(ckpt, good);
        String[] wider = RUN.clone();
        wider[4] = "17";
        assertRefused(dir, ckpt, good, "784-16-10", wider);
        assertRefused(dir, ckpt, good, "optimizer \"sgd\", this run has \"adam\" (a resumed run keeps its settings; "
                + "only --epochs, --target-loss, --lr and --schedule may change)", concat(RUN, "--optimizer", "adam"));
        assertRefused(dir, ckpt, good, "500 samples, this one on 300", concat(BASE, "--epochs", "2", "--train-limit", "300"));
        // Same 500 samples, other values: the training set's fingerprint tells them apart.
        assertRefused(dir, ckpt, good, "trained on other data (same sample count, other values", concat(RUN, "--standardize"));
        assertRefused(dir, ckpt, good, "; resume with the same --data, --train-limit, --standardize and --missing",
                concat(RUN, "--standardize"));
    }

    @Test
    void missingCheckpoint(@TempDir Path dir) throws IOException {
        CliTest.Result r = run(concat(RUN, "--resume", dir.resolve("none.ckpt").toString()));
        assertEquals(2, r.status());
        assertTrue(r.err().contains("none.ckpt: no such file"), r.err());
    }

    private static void assertRefused(Path dir, Path ckpt, byte[] bytes, String expect, String[] run) throws IOException {
        Path json = dir.resolve("m.json"), model = dir.resolve("m.model"), next = dir.resolve("next.ckpt");
        CliTest.Result r = CliTest.run(concat(run, "--resume", ckpt.toString(), "--metrics-json", json.toString(),
                "--save", model.toString(), "--checkpoint", next.toString()));
        assertEquals(2, r.status(), r.out() + r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.contains(ckpt.toString()) && err.contains(expect), "expected '" + expect + "' in: " + err);
        assertFalse(err.contains("\tat "), err);
        assertArrayEquals(bytes, Files.readAllBytes(ckpt), "the file is left as it was");
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "nothing written beside the checkpoint");
        }
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
