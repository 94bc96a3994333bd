package io.clprop.train;

import io.clprop.SyntheticData;
import io.clprop.TestDevices;
import io.clprop.backend.Backend;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.data.Dataset;
import io.clprop.nn.optim.OptimizerConfig;
import io.clprop.util.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run interrupted after epoch k and resumed from its checkpoint ends with exactly the weights of a run
 * that was never interrupted (CPU path, bit for bit), and within the training cross-check tolerance on the
 * device. The configuration exercises every piece of carried state: Adam's moments and step count, the
 * cosine schedule's position, the generator and batch order, and early stopping's best weights.
 */
class CheckpointResumeTest {
    static final Dataset DATA = SyntheticData.blobs(700, 17, 4, 0.9, 21);
    static final Dataset TEST = SyntheticData.blobs(200, 17, 4, 0.9, 22);
    static final TrainConfig CONFIG = TrainConfig.builder().hidden(23, 11).batch(32).epochs(5).seed(9)
            .optimizer(OptimizerConfig.adam().withWeightDecay(1e-4f)).learningRate(0.01)
            .schedule(new LrSchedule.Cosine()).validation(0.2).patience(3).build();

    /** Thrown by a listener to interrupt a run right after an epoch's checkpoint was written. */
    static final class Interrupt extends RuntimeException {
    }

    private static float[] uninterrupted(Supplier<Backend> backend, List<EpochMetrics> history) {
        return uninterrupted(backend, CONFIG, history);
    }

    private static float[] uninterrupted(Supplier<Backend> backend, TrainConfig config, List<EpochMetrics> history) {
        try (Backend b = backend.get(); Trainer t = new Trainer(b, config, DATA, TEST)) {
            t.fit(m -> { });
            history.addAll(t.history());
            return t.network().parameters();
        }
    }

    private static float[] interruptedAndResumed(Supplier<Backend> backend, Path file, int k, List<EpochMetrics> history) {
        return interruptedAndResumed(backend, CONFIG, file, k, history);
    }

    private static float[] interruptedAndResumed(Supplier<Backend> backend, TrainConfig config, Path file, int k,
                                                 List<EpochMetrics> history) {
        try (Backend b = backend.get(); Trainer t = new Trainer(b, config, DATA, TEST)) {
            assertThrows(Interrupt.class, () -> t.fit(TrainingProgress.none(), file, m -> {
                if (m.epoch() == k) {
                    throw new Interrupt();
                }
            }));
        }
        try (Backend b = backend.get(); Trainer t = new Trainer(b, config, DATA, TEST)) {
            t.resume(file);
            assertEquals(k, t.epochsDone());
            t.fit(TrainingProgress.none(), file, m -> { });
            history.addAll(t.history());
            return t.network().parameters();
        }
    }

    @Test
    void resumedRunEqualsUninterruptedOnTheCpuPathExactly(@TempDir Path dir) {
        List<EpochMetrics> whole = new java.util.ArrayList<>();
        float[] expected = uninterrupted(CpuBackend::new, whole);
        for (int k = 1; k <= 3; k++) {
            List<EpochMetrics> resumed = new java.util.ArrayList<>();
            float[] actual = interruptedAndResumed(CpuBackend::new, dir.resolve("run" + k + ".ckpt"), k, resumed);
            assertArrayEquals(expected, actual, "interrupted after epoch " + k);
            assertEquals(whole.size(), resumed.size());
            for (int e = 0; e < whole.size(); e++) {
                assertEquals(whole.get(e).trainLoss(), resumed.get(e).trainLoss(), "epoch " + (e + 1) + " loss");
                assertEquals(whole.get(e).validationLoss(), resumed.get(e).validationLoss());
            }
        }
    }

    /**
     * With dropout the masks are drawn from the global step, which the checkpoint carries: a resumed run
     * drops the same units as the uninterrupted one and ends with the same weights, bit for bit.
     */
    @Test
    void resumedRunWithDropoutEqualsUninterruptedOnTheCpuPathExactly(@TempDir Path dir) {
        TrainConfig config = CONFIG.toBuilder().dropout(0.3).build();
        float[] expected = uninterrupted(CpuBackend::new, config, new java.util.ArrayList<>());
        float[] withoutDropout = uninterrupted(CpuBackend::new, new java.util.ArrayList<>());
        assertTrue(!java.util.Arrays.equals(expected, withoutDropout), "dropout changed nothing");
        for (int k = 1; k <= 2; k++) {
            float[] actual = interruptedAndResumed(CpuBackend::new, config, dir.resolve("drop" + k + ".ckpt"), k,
                    new java.util.ArrayList<>());
            assertArrayEquals(expected, actual, "interrupted after epoch " + k);
        }
    }

    /** A checkpoint written before dropout existed has no "dropout" setting: it was taken without dropout. */
    @Test
    void aCheckpointWithoutTheDropoutSettingResumesWithoutDropout(@TempDir Path dir) {
        Path file = dir.resolve("old.ckpt");
        try (Backend b = new CpuBackend(); Trainer t = new Trainer(b, CONFIG, DATA, TEST)) {
            assertThrows(Interrupt.class, () -> t.fit(TrainingProgress.none(), file, m -> {
                throw new Interrupt();
            }));
        }
        io.clprop.model.ClpropFile f = io.clprop.model.ClpropFile.read(file, Checkpoint.MAGIC, "checkpoint");
        com.google.gson.JsonObject header = f.header().deepCopy();
        assertTrue(header.getAsJsonObject("config").remove("dropout") != null);
        new io.clprop.model.ClpropFile(Checkpoint.MAGIC, header, f.f32Sections(), f.i32Sections()).write(file);
        try (Backend b = new CpuBackend(); Trainer t = new Trainer(b, CONFIG, DATA, TEST)) {
            assertEquals(List.of(), t.resume(file));
        }
        try (Backend b = new CpuBackend(); Trainer t = new Trainer(b, CONFIG.toBuilder().dropout(0.1).build(), DATA, TEST)) {
            UserError e = assertThrows(UserError.class, () -> t.resume(file));
            assertTrue(e.getMessage().contains("dropout 0.0, this run has 0.1"), e.getMessage());
        }
    }

    @Test
    void resumedRunMatchesUninterruptedOnTheDevice(@TempDir Path dir) {
        TestDevices.openCl().close();
        float[] expected = uninterrupted(TestDevices::openCl, new java.util.ArrayList<>());
        float[] actual = interruptedAndResumed(TestDevices::openCl, dir.resolve("dev.ckpt"), 2, new java.util.ArrayList<>());
        double maxDiff = 0, maxW = 0;
        for (int i = 0; i < expected.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
            maxW = Math.max(maxW, Math.abs(expected[i]));
        }
        System.out.printf("device resume: max |Δw| %.3e over max |w| %.3f%n", maxDiff, maxW);
        assertTrue(maxDiff <= TrainingCrossCheckTest.TOLERANCE * maxW, "max diff " + maxDiff);
    }

    @Test
    void aCheckpointOfOtherSettingsIsRefusedNamingTheSetting(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("a.ckpt");
        try (Backend b = new CpuBackend(); Trainer t = new Trainer(b, CONFIG, DATA, TEST)) {
            assertThrows(Interrupt.class, () -> t.fit(TrainingProgress.none(), file, m -> {
                throw new Interrupt();
            }));
        }
        TrainConfig otherBatch = CONFIG.toBuilder().batch(16).build();
        try (Backend b = new CpuBackend(); Trainer t = new Trainer(b, otherBatch, DATA, TEST)) {
            UserError e = assertThrows(UserError.class, () -> t.resume(file));
            assertTrue(e.getMessage().contains("batch 32, this run has 16"), e.getMessage());
            assertTrue(e.getMessage().endsWith("only epochs, targetLoss, learningRate and schedule may change)"),
                    e.getMessage());
        }
        // The checks watch the run without shaping it: another interval is no change.
        try (Backend b = new CpuBackend();
             Trainer t = new Trainer(b, CONFIG.toBuilder().divergenceCheckEvery(1).build(), DATA, TEST)) {
            assertEquals(List.of(), t.resume(file));
        }
        TrainConfig otherNet = CONFIG.toBuilder().hidden(23, 12).build();
        try (Backend b = new CpuBackend(); Trainer t = new Trainer(b, otherNet, DATA, TEST)) {
            UserError e = assertThrows(UserError.class, () -> t.resume(file));
            assertTrue(e.getMessage().contains("17-23-11-4"), e.getMessage());
        }
        // Dropout shapes every step's gradients: a resumed run keeps it.
        try (Backend b = new CpuBackend(); Trainer t = new Trainer(b, CONFIG.toBuilder().dropout(0.2).build(), DATA, TEST)) {
            UserError e = assertThrows(UserError.class, () -> t.resume(file));
            assertTrue(e.getMessage().contains("dropout 0.0, this run has 0.2"), e.getMessage());
        }
        // More epochs are allowed and not reported: the run continues exactly.
        try (Backend b = new CpuBackend(); Trainer t = new Trainer(b, CONFIG.withEpochs(7), DATA, TEST)) {
            assertEquals(List.of(), t.resume(file));
            assertEquals(1, t.epochsDone());
        }
        // A lower learning rate is allowed and reported: the run no longer matches an uninterrupted one.
        try (Backend b = new CpuBackend();
             Trainer t = new Trainer(b, CONFIG.toBuilder().learningRate(0.005).build(), DATA, TEST)) {
            assertEquals(List.of("lr 0.01 → 0.005"), t.resume(file));
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(file, bytes);
        try (Backend b = new CpuBackend(); Trainer t = new Trainer(b, CONFIG, DATA, TEST)) {
            UserError e = assertThrows(UserError.class, () -> t.resume(file));
            assertTrue(e.getMessage().contains("CRC"), e.getMessage());
        }
    }
}
