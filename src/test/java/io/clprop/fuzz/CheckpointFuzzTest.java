package io.clprop.fuzz;

import io.clprop.SyntheticData;
import io.clprop.backend.Backend;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.data.Dataset;
import io.clprop.nn.optim.OptimizerConfig;
import io.clprop.train.LrSchedule;
import io.clprop.train.TrainConfig;
import io.clprop.train.Trainer;
import io.clprop.train.TrainerState;
import io.clprop.train.TrainingDiverged;
import io.clprop.train.TrainingProgress;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/**
 * Resuming from a damaged checkpoint, as {@code train --resume} does it on the CPU path: {@link Trainer#resume}
 * (Checkpoint.read, then restore) either refuses with a one-line {@link io.clprop.util.UserError} or restores a
 * state that the next epoch trains from without any other exception. An epoch that ends in {@link
 * TrainingDiverged} is a clean outcome (the CLI reports it as such, exit 3): finite but huge weights are a state a
 * real run can save just before it diverges. What a real run never saves, and the reader must therefore refuse,
 * is counted as a failure too: NaN or an infinity in a float section (Trainer checks the weights before each
 * checkpoint; the optimizer's values come from finite gradients, and an infinite Adam second moment would take a
 * gradient above 1.8e19), and a batch order that is not a permutation of the training samples (the next epoch
 * would index past the data, or train on some samples twice and others never).
 */
@AddLifecycleHook(FuzzSettings.class)
class CheckpointFuzzTest {
    /** A run to resume: its settings and data, and a checkpoint it wrote after epoch 2 of 3. */
    record Base(TrainConfig config, Dataset data, byte[] checkpoint, int rngLength) {
    }

    static List<Base> bases;
    static Path dir;

    /** Thrown by a listener to stop a run after the checkpoint of an epoch was written. */
    static final class Stop extends RuntimeException {
    }

    @BeforeContainer
    static void validCheckpoints() throws IOException {
        dir = Files.createTempDirectory("clprop-fuzz-checkpoint");
        // Adam (moments, step count), a cosine schedule, a validation split and early stopping (best weights).
        TrainConfig adam = TrainConfig.builder().hidden(6).batch(16).epochs(3).seed(3).learningRate(0.01)
                .optimizer(OptimizerConfig.adam()).schedule(new LrSchedule.Cosine()).validation(0.25).patience(2)
                .build();
        // Momentum SGD (velocity) with dropout (masks drawn from the global step), two hidden layers.
        TrainConfig sgd = TrainConfig.builder().hidden(4, 3).batch(16).epochs(3).seed(4).learningRate(0.05)
                .optimizer(OptimizerConfig.sgd().withMomentum(0.9f)).dropout(0.2).build();
        // Both train on 60 samples (80 less the validation quarter), so order values 59/60 are the edge.
        bases = List.of(base(adam, SyntheticData.blobs(80, 5, 3, 0.5, 11)),
                base(sgd, SyntheticData.blobs(60, 5, 3, 0.5, 12)));
        for (Base b : bases) {
            Path p = dir.resolve("base.ckpt");
            Files.write(p, b.checkpoint());
            // The valid checkpoint must resume and train, or the cases below prove nothing.
            String outcome = resumeAndTrain(b, p, "the valid checkpoint");
            if (!outcome.equals("resumed and trained")) {
                throw new IllegalStateException("the valid checkpoint: " + outcome);
            }
        }
    }

    private static Base base(TrainConfig config, Dataset data) throws IOException {
        Path p = dir.resolve("run.ckpt");
        try (Backend b = new CpuBackend(); Trainer t = new Trainer(b, config, data, null)) {
            try {
                t.fit(TrainingProgress.none(), p, m -> {
                    if (m.epoch() == 2) {
                        throw new Stop();
                    }
                });
            } catch (Stop expected) {
                // the checkpoint of epoch 2 is written
            }
        }
        byte[] bytes = Files.readAllBytes(p);
        String rng = Container.parse(bytes).header.get("rng").getAsString();
        return new Base(config, data, bytes, Base64.getDecoder().decode(rng).length);
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        FuzzFiles.deleteTree(dir);
    }

    record ByteDamage(int base, List<ByteMutation> mutations, boolean fixCrc) {
        @Override
        public String toString() {
            return "checkpoint #" + base + ", " + mutations + (fixCrc ? ", CRC-32 recomputed" : ", CRC-32 as it is");
        }
    }

    record Edits(int base, List<ContainerEdit> sectionEdits, List<ContainerEdit> headerEdits) {
        @Override
        public String toString() {
            return "checkpoint #" + base + ", sections " + sectionEdits + ", header " + headerEdits;
        }
    }

    @Provide
    Arbitrary<ByteDamage> byteDamage() {
        return Arbitraries.integers().between(0, bases.size() - 1).flatMap(b -> Combinators.combine(
                        ByteMutation.some(bases.get(b).checkpoint().length, 4), Arbitraries.of(true, false))
                .as((m, fix) -> new ByteDamage(b, m, fix)));
    }

    @Provide
    Arbitrary<Edits> edits() {
        return Arbitraries.integers().between(0, bases.size() - 1).flatMap(b -> Combinators.combine(
                        ContainerEdit.sectionEdit().list().ofMaxSize(2),
                        Arbitraries.oneOf(List.of(ContainerEdit.headerEdit(), ContainerEdit.headerEdit(),
                                ContainerEdit.rngEdit(bases.get(b).rngLength()))).list().ofMaxSize(3))
                .as((s, h) -> new Edits(b, s, h)))
                .filter(e -> !e.sectionEdits().isEmpty() || !e.headerEdits().isEmpty());
    }

    @Property(tries = 1000, generation = GenerationMode.RANDOMIZED)
    void damagedBytesAreResumedOrRefusedCleanly(@ForAll("byteDamage") ByteDamage d) throws Exception {
        Survey.check(d, () -> {
            StringBuilder log = new StringBuilder();
            byte[] bytes = ByteMutation.applyAll(d.mutations(), bases.get(d.base()).checkpoint(), log);
            if (d.fixCrc()) {
                bytes = ByteMutation.fixCrc(bytes, log);
            }
            String input = "a " + bytes.length + "-byte checkpoint: " + log;
            FuzzFiles.withFile(dir, ".ckpt", bytes,
                    f -> Statistics.collect(resumeAndTrain(bases.get(d.base()), f, input)));
        });
    }

    @Property(tries = 3000, generation = GenerationMode.RANDOMIZED)
    void editedHeadersAndSectionsAreResumedOrRefusedCleanly(@ForAll("edits") Edits e) throws Exception {
        Survey.check(e, () -> {
            StringBuilder log = new StringBuilder();
            Container c = Container.parse(bases.get(e.base()).checkpoint());
            e.sectionEdits().forEach(x -> x.apply(c, log));
            e.headerEdits().forEach(x -> x.apply(c, log));
            byte[] bytes = c.toBytes();
            String input = "a " + bytes.length + "-byte checkpoint: " + log;
            FuzzFiles.withFile(dir, ".ckpt", bytes,
                    f -> Statistics.collect(resumeAndTrain(bases.get(e.base()), f, input)));
        });
    }

    /**
     * A trainer of the checkpoint's own run resumes from {@code file}, then trains one epoch; returns how it went
     * (for jqwik's statistics) or fails the property.
     */
    private static String resumeAndTrain(Base base, Path file, String input) {
        try (Backend b = new CpuBackend(); Trainer t = new Trainer(b, base.config(), base.data(), null)) {
            Outcome.Result<TrainerState> r = Outcome.of("Trainer.resume", input, () -> {
                t.resume(file);
                return t.snapshot(); // what was restored, as the next checkpoint would write it
            });
            if (r.kind() == Outcome.Kind.REFUSED) {
                return "refused: " + Outcome.gist(r.error());
            }
            checkRestored(r.value(), t.trainSize(), input);
            if (t.finished()) {
                return "resumed, nothing left to train";
            }
            Outcome.Result<String> epoch = Outcome.of("the epoch after Trainer.resume", input, () -> {
                try {
                    t.trainEpoch();
                    return "resumed and trained";
                } catch (TrainingDiverged diverged) {
                    return "resumed, then diverged";
                }
            });
            return epoch.kind() == Outcome.Kind.READ ? epoch.value() : "resumed, epoch refused: "
                    + Outcome.gist(epoch.error());
        }
    }

    /** What no run writes, so Checkpoint.read must refuse it: non-finite values, an order that is no permutation. */
    private static void checkRestored(TrainerState s, int trainSamples, String input) {
        finite("parameters", s.parameters(), input);
        if (s.bestParameters() != null) {
            finite("best_parameters", s.bestParameters(), input);
        }
        for (int i = 0; i < s.optimizerState().size(); i++) {
            finite(s.optimizerStateNames().get(i), s.optimizerState().get(i), input);
        }
        boolean[] seen = new boolean[trainSamples];
        for (int k : s.order()) {
            if (k < 0 || k >= trainSamples || seen[k]) {
                String what = k >= 0 && k < trainSamples ? "twice" : "out of range";
                throw new Finding("Checkpoint.read accepted a batch order with a value " + what, "Checkpoint.read "
                        + "accepted a batch order that is not a permutation of the " + trainSamples + " training samples ("
                        + k + " " + what + ")\n  on " + input);
            }
            seen[k] = true;
        }
    }

    private static void finite(String section, float[] v, String input) {
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                throw new Finding("Checkpoint.read accepted a non-finite value in section " + section,
                        "Checkpoint.read accepted " + v[i] + " in section \"" + section + "\"[" + i
                        + "], which no run writes\n  on " + input);
            }
        }
    }
}
