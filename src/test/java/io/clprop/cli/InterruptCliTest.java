package io.clprop.cli;

import io.clprop.TestDevices;
import io.clprop.model.ClpropFile;
import io.clprop.model.ModelFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `clprop train` interrupted as a user interrupts it — Ctrl-C (SIGINT), SIGTERM from a scheduler, SIGKILL —
 * at random moments and inside its writes: it stops within seconds, with 130/143, removes its temporary
 * files, leaves the last complete checkpoint as it was, and after many such runs the folder holds only the
 * files the run means to write (what SIGKILL leaves is removed by the next write of the same file).
 *
 * <p>The child is started through perl, which resets SIGINT and SIGTERM to their default before it execs the
 * JVM: a test JVM started in the background (as CI may start it) passes ignored signals on to its children,
 * and a JVM that inherits an ignored SIGINT keeps ignoring it.
 */
class InterruptCliTest {
    static final String[] RUN = {"train", "--device", "cpu", "--hidden", "32", "--epochs", "6", "--batch", "50",
            "--train-limit", "2000", "--test-limit", "200", "--seed", "5"};

    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM"})
    void aSignalInsideACheckpointWriteStopsAtOnceAndLeavesThePreviousCheckpoint(String signal, @TempDir Path dir)
            throws Exception {
        TestDevices.fashionMnist();
        Path ckpt = dir.resolve("run.ckpt");
        // A complete checkpoint from a first epoch, then a run that pauses inside its next checkpoint write.
        CliTest.Result first = CliTest.run(concat(withEpochs(1), "--checkpoint", ckpt.toString()));
        assertEquals(0, first.status(), first.err());
        byte[] before = Files.readAllBytes(ckpt);
        Process p = start(dir, true, concat(withEpochs(3), "--checkpoint", ckpt.toString(), "--resume", ckpt.toString()));
        assertTrue(waitForTemporary(dir, p), "the run reached its checkpoint write");
        long t0 = System.nanoTime();
        signal(p, signal);
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "stopped after SIG" + signal);
        double seconds = (System.nanoTime() - t0) / 1e9;
        String err = new String(p.getErrorStream().readAllBytes()).strip();
        assertEquals(signal.equals("INT") ? 130 : 143, p.exitValue(), err);
        assertTrue(err.contains("interrupted (SIG" + signal + ")"), err);
        assertTrue(seconds < 10, "stopped promptly: " + seconds + " s");
        assertEquals(List.of("run.ckpt"), names(dir), "no temporary file left");
        assertArrayEquals(before, Files.readAllBytes(ckpt), "the previous checkpoint is as it was");
    }

    @Test
    void manyInterruptedRunsLeaveOnlyTheIntendedFiles(@TempDir Path dir) throws Exception {
        TestDevices.fashionMnist();
        Path ckpt = dir.resolve("run.ckpt"), model = dir.resolve("run.model"), metrics = dir.resolve("run.json");
        String[] outputs = {"--checkpoint", ckpt.toString(), "--save", model.toString(), "--metrics-json",
                metrics.toString()};
        Random random = new Random(2024);
        String[] signals = {"INT", "TERM", "KILL"};
        int inWrite = 0, killedInWrite = 0;
        for (int i = 0; i < 12; i++) {
            List<String> args = new ArrayList<>(List.of(concat(RUN, outputs)));
            if (Files.exists(ckpt)) {
                args.add("--resume");
                args.add(ckpt.toString());
            }
            boolean pause = i % 2 == 0;
            String signal = signals[i % 3];
            Process p = start(dir, pause, args.toArray(String[]::new));
            if (pause) {
                if (!waitForTemporary(dir, p)) {
                    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
                    continue; // finished before a write paused: nothing to interrupt
                }
                inWrite++;
                killedInWrite += signal.equals("KILL") ? 1 : 0;
            } else if (p.waitFor(300 + random.nextInt(2000), TimeUnit.MILLISECONDS)) {
                continue;
            }
            signal(p, signal);
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "stopped after SIG" + signal);
        }
        assertTrue(inWrite >= 4, inWrite + " interrupts inside a write");
        assertTrue(killedInWrite >= 1, "at least one SIGKILL inside a write (it leaves a temporary file behind)");
        // A run to the end: its writes of the same three files remove what the killed writes left.
        List<String> args = new ArrayList<>(List.of(concat(RUN, outputs)));
        if (Files.exists(ckpt)) {
            args.add("--resume");
            args.add(ckpt.toString());
        }
        Process p = start(dir, false, args.toArray(String[]::new));
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(p.getErrorStream().readAllBytes()));
        assertEquals(List.of("run.ckpt", "run.json", "run.model"), names(dir));
        ModelFile.read(model);
        ClpropFile.read(ckpt, "CLPROPCK", "checkpoint");
    }

    static String[] withEpochs(int epochs) {
        String[] a = RUN.clone();
        for (int i = 0; i < a.length - 1; i++) {
            if (a[i].equals("--epochs")) {
                a[i + 1] = Integer.toString(epochs);
            }
        }
        return a;
    }

    static Process start(Path dir, boolean pauseInWrites, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("perl", "-e",
                "$SIG{INT} = 'DEFAULT'; $SIG{TERM} = 'DEFAULT'; exec @ARGV or die \"exec: $!\"",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.clprop.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        if (pauseInWrites) {
            pb.environment().put("CLPROP_FAULT_PAUSE_BEFORE_RENAME_MS", "4000");
        }
        return pb.start();
    }

    static void signal(Process p, String signal) throws Exception {
        // perl's kill, as perl starts the child anyway (a minimal Debian has perl but not always procps' kill).
        Process kill = new ProcessBuilder("perl", "-e", "kill($ARGV[0], $ARGV[1]) == 1 or die \"kill: $!\"", signal,
                Long.toString(p.pid())).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, kill.exitValue(), "kill -" + signal);
    }

    /**
     * Waits until a temporary file of this process appears in {@code dir} (a write is then paused before its
     * rename). Its name holds the process id (perl execs the JVM, so the id is the one started).
     */
    static boolean waitForTemporary(Path dir, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String mark = "." + p.pid() + ".";
        while (System.nanoTime() < deadline && p.isAlive()) {
            if (names(dir).stream().anyMatch(n -> n.startsWith(".") && n.contains(mark) && n.endsWith(".tmp"))) {
                return true;
            }
            Thread.sleep(20);
        }
        return false;
    }

    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
