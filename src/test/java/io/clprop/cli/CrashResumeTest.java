package io.clprop.cli;

import io.clprop.TestDevices;
import io.clprop.model.ModelFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
 * `clprop train --checkpoint` killed with SIGKILL at random moments, many times over, and inside checkpoint
 * writes, each time restarted with --resume: every restart must load a complete checkpoint (a torn one
 * would exit 2), and the run that finally completes must save exactly the weights of a run that was never
 * interrupted (CPU path, compared bit for bit).
 */
class CrashResumeTest {
    static final String[] RUN = {"train", "--device", "cpu", "--hidden", "64", "--epochs", "8", "--batch", "50",
            "--train-limit", "2000", "--test-limit", "200", "--optimizer", "adam", "--schedule", "cosine",
            "--validation", "0.1", "--seed", "4"};

    @Test
    void killedRunsResumeToTheUninterruptedWeights(@TempDir Path dir) throws Exception {
        TestDevices.fashionMnist();
        Path reference = dir.resolve("reference.model");
        CliTest.Result r = CliTest.run(concat(RUN, "--save", reference.toString()));
        assertEquals(0, r.status(), r.err());

        Path ckpt = dir.resolve("run.ckpt"), model = dir.resolve("run.model");
        float[] expected = ModelFile.read(reference).parameters();
        Random random = new Random(12345);
        int kills = 0, midWrite = 0, resumedStarts = 0, completed = 0;
        boolean done = false;
        // Rounds of kill-and-resume until enough kills have landed: a run that completes before its kill
        // (machines differ in speed) is checked like the final one, then the next round starts afresh.
        for (int attempt = 0; attempt < 80 && !done; attempt++) {
            boolean resume = Files.exists(ckpt);
            resumedStarts += resume ? 1 : 0;
            List<String> args = new ArrayList<>(List.of(concat(RUN, "--checkpoint", ckpt.toString(), "--save",
                    model.toString())));
            if (resume) {
                args.add("--resume");
                args.add(ckpt.toString());
            }
            boolean pauseInWrite = midWrite < 3 && attempt % 3 == 2; // some kills land inside a write for sure
            Process p = start(args, dir, pauseInWrite);
            if (pauseInWrite && waitForTempFile(dir, p)) {
                p.destroyForcibly().waitFor(); // SIGKILL on Linux
                kills++;
                midWrite++;
                continue;
            }
            // Most kills wait for the first checkpoint, so that resumes happen however slow the machine is
            // (a loaded machine can take longer than the random delay to finish an epoch); every fourth may
            // land before it, which is a restart from scratch.
            if (kills < 10 && !pauseInWrite && !resume && attempt % 4 != 0) {
                waitForCheckpoint(ckpt, p);
            }
            if (kills < 10 && !pauseInWrite && !p.waitFor(200 + random.nextInt(2500), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                kills++;
                continue;
            }
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "run did not finish");
            String err = new String(p.getErrorStream().readAllBytes());
            assertEquals(0, p.exitValue(), "a restart failed (attempt " + attempt + "): " + err);
            assertArrayEquals(expected, ModelFile.read(model).parameters(), "completed run " + (completed + 1));
            completed++;
            if (kills >= 10 && midWrite == 3) {
                done = true;
            } else {
                Files.delete(ckpt);
                Files.delete(model);
            }
        }
        System.out.printf("crash test: %d kills (%d inside a checkpoint write), %d resumed starts, %d completed runs%n",
                kills, midWrite, resumedStarts, completed);
        assertTrue(done, kills + " kills, " + midWrite + " mid-write: the run never completed after them");
        assertTrue(resumedStarts >= 3, resumedStarts + " resumes");
    }

    private static Process start(List<String> args, Path dir, boolean pauseInWrite) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.clprop.cli.Main"));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        if (pauseInWrite) {
            pb.environment().put("CLPROP_FAULT_PAUSE_BEFORE_RENAME_MS", "3000");
        }
        return pb.start();
    }

    /** Waits until the run has written its first checkpoint (or has ended). */
    private static void waitForCheckpoint(Path ckpt, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && p.isAlive() && !Files.exists(ckpt)) {
            Thread.sleep(20);
        }
    }

    /** Waits until a checkpoint's temporary file appears (the write is then paused before its rename). */
    private static boolean waitForTempFile(Path dir, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && p.isAlive()) {
            try (Stream<Path> files = Files.list(dir)) {
                if (files.anyMatch(f -> f.getFileName().toString().startsWith(".run.ckpt.")
                        && f.getFileName().toString().endsWith(".tmp"))) {
                    return true;
                }
            }
            Thread.sleep(20);
        }
        return false;
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
