package io.clprop.cli;

import io.clprop.TestDevices;
import io.clprop.util.TinyFileSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static io.clprop.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every file clprop writes, written onto a real file system that is (nearly) full: a model, a checkpoint, the
 * metrics JSON, the learning-curve plot, predictions and eval's JSON. Each must fail with status 2 and one line
 * naming the file and "no space left on device", leave the file that was there before byte for byte as it
 * was, and leave nothing else behind (no temporary file, no partial output). Before the writes were made
 * whole, a short write on a nearly full disk was taken as the whole file: a truncated model or checkpoint
 * replaced the good one and the command exited 0.
 *
 * <p>Each output is tried with several amounts of free space, from none to just short of the file's size,
 * so the failure lands at different points of the write (creating the file, the first write, a short write
 * in the middle, the flush).
 */
class FullDiskCliTest {
    static final String[] TRAIN = {"train", "--device", "cpu", "--hidden", "16", "--epochs", "1", "--batch", "50",
            "--train-limit", "300", "--test-limit", "100", "--seed", "3"};
    @TempDir
    static Path work;
    static TinyFileSystem disk;
    static Path model;
    /** What each output looks like when written in full (on a disk with room), to size the free space by. */
    static final java.util.Map<String, Long> fullSize = new java.util.HashMap<>();

    @BeforeAll
    static void mountAndMakeAModel() throws IOException {
        TestDevices.fashionMnist();
        Path mnt = Files.createDirectory(work.resolve("tiny"));
        disk = TinyFileSystem.mount(mnt, 512);
        model = work.resolve("m.clprop");
        Path roomy = Files.createDirectory(work.resolve("roomy"));
        CliTest.Result r = run(concat(TRAIN, "--save", model.toString(), "--checkpoint", roomy.resolve("c").toString(),
                "--metrics-json", roomy.resolve("j").toString(), "--plot", roomy.resolve("p.png").toString()));
        assertEquals(0, r.status(), r.err());
        fullSize.put("model", Files.size(model));
        fullSize.put("checkpoint", Files.size(roomy.resolve("c")));
        fullSize.put("metrics", Files.size(roomy.resolve("j")));
        fullSize.put("plot", Files.size(roomy.resolve("p.png")));
        r = run(predict(roomy.resolve("pred.csv")));
        assertEquals(0, r.status(), r.err());
        fullSize.put("predictions", Files.size(roomy.resolve("pred.csv")));
        r = run(eval(roomy.resolve("e.json")));
        assertEquals(0, r.status(), r.err());
        fullSize.put("eval", Files.size(roomy.resolve("e.json")));
    }

    @AfterAll
    static void unmount() {
        if (disk != null) {
            disk.close();
        }
    }

    @BeforeEach
    void empty() {
        disk.clear();
    }

    static String[] predict(Path output) {
        return new String[]{"predict", "--model", model.toString(), "--input",
                testImages().toString(), "--format", "idx",
                "--device", "cpu", "--output", output.toString()};
    }

    static Path testImages() {
        return io.clprop.data.MnistFolder.DEFAULT_DIR.resolve("t10k-images-idx3-ubyte.gz");
    }

    static String[] eval(Path json) {
        return new String[]{"eval", "--model", model.toString(), "--device", "cpu", "--json", json.toString()};
    }

    static String[] command(String output, Path target) {
        return switch (output) {
            case "model" -> concat(TRAIN, "--save", target.toString());
            case "checkpoint" -> concat(TRAIN, "--checkpoint", target.toString());
            case "metrics" -> concat(TRAIN, "--metrics-json", target.toString());
            case "plot" -> concat(TRAIN, "--plot", target.toString());
            case "predictions" -> predict(target);
            case "eval" -> eval(target);
            default -> throw new IllegalArgumentException(output);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"model", "checkpoint", "metrics", "plot", "predictions", "eval"})
    void aFullDiskLeavesThePreviousFileAsItWas(String output) throws IOException {
        long size = fullSize.get(output);
        String name = output.equals("plot") ? "out.png" : "out";
        Path target = disk.resolve(name);
        byte[] previous = new byte[(int) Math.min(size / 2 + 1, 64 * 1024)];
        new Random(size).nextBytes(previous);
        // tmpfs gives whole pages: the new file needs ceil(size / page) of them, so any free space below that
        // fails. From no room at all to one page short: the failure lands at different points of the write.
        long pages = (size + TinyFileSystem.PAGE - 1) / TinyFileSystem.PAGE;
        java.util.TreeSet<Long> frees = new java.util.TreeSet<>(List.of(0L, (pages - 1) / 2, pages - 1));
        frees.add(Math.min(1, pages - 1));
        for (long freePages : frees) {
            long free = freePages * TinyFileSystem.PAGE;
            for (boolean replacing : new boolean[]{true, false}) {
                disk.clear();
                if (replacing) {
                    Files.write(target, previous);
                }
                disk.leaveFree(free);
                String what = output + " with " + disk.free() + " bytes free" + (replacing ? ", replacing a file" : "");
                CliTest.Result r = run(command(output, target));
                assertEquals(2, r.status(), what + ": " + r.err());
                assertEquals(replacing ? List.of(name) : List.of(), disk.names(), what + ": nothing else left");
                if (replacing) {
                    assertArrayEquals(previous, Files.readAllBytes(target), what + ": the previous file is intact");
                }
                String err = r.err().strip();
                assertEquals(1, err.lines().count(), what + ": one line: " + err);
                assertTrue(err.startsWith("clprop: error: " + target + ": "), what + ": names the file: " + err);
                assertTrue(err.contains("no space left on device"), what + ": says why: " + err);
                assertFalse(r.out().contains("written"), what + ": claims nothing was written: " + r.out());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"model", "checkpoint"})
    void withRoomTheSameCommandWritesTheWholeFile(String output) throws IOException {
        // The control: the same commands on the same file system succeed once there is room, so the failures
        // above are the disk's and not the test's.
        Path target = disk.resolve("out");
        disk.leaveFree(fullSize.get(output) + 8L * TinyFileSystem.PAGE);
        CliTest.Result r = run(command(output, target));
        assertEquals(0, r.status(), r.err());
        // Read back whole: the container's length and CRC-32 are checked by the reader.
        if (output.equals("model")) {
            io.clprop.model.ModelFile.read(target);
        } else {
            io.clprop.model.ClpropFile.read(target, "CLPROPCK", "checkpoint");
        }
        assertEquals(List.of("out"), disk.names());
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
