package io.clprop.report;

import io.clprop.train.Trainer;

import io.clprop.train.TrainConfig;
import io.clprop.train.TrainingProgress;
import io.clprop.train.NoProgress;

import io.clprop.SyntheticData;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.data.Dataset;
import io.clprop.backend.Activation;
import io.clprop.nn.Init;
import io.clprop.nn.LossKind;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The progress display: who gets a bar, what the trainer tells it and in which order, what the bar shows. */
class TrainingProgressTest {

    /** Writes down every call, in order, into a list the epoch listener also writes to. */
    static final class Recording implements TrainingProgress {
        final List<String> events;

        Recording(List<String> events) {
            this.events = events;
        }

        @Override
        public void startEpoch(int epoch, int steps) {
            events.add("start " + epoch + " " + steps);
        }

        @Override
        public void step() {
            events.add("step");
        }

        @Override
        public void endEpoch() {
            events.add("end");
        }
    }

    @Test
    void theTerminalBarOnlyWhenEnabledAndThereIsAConsole() {
        assertSame(TrainingProgress.none(), ConsoleProgress.choose(false, false));
        assertSame(TrainingProgress.none(), ConsoleProgress.choose(true, false));
        assertSame(TrainingProgress.none(), ConsoleProgress.choose(false, true));
        try (TrainingProgress p = ConsoleProgress.choose(true, true)) {
            assertInstanceOf(TerminalProgress.class, p);
        }
    }

    @Test
    void withoutAConsoleTheFactoryGivesNoProgress() {
        // Surefire's forked JVM has its streams piped, as CI and `clprop train | tee` do.
        Assumptions.assumeTrue(System.console() == null, "this JVM has a console");
        assertInstanceOf(NoProgress.class, ConsoleProgress.forConsole(true));
        assertInstanceOf(NoProgress.class, ConsoleProgress.forConsole(false));
    }

    @Test
    void theTrainerReportsEveryStepOfEveryEpochOnTheCpuBackend() {
        int n = 100, batch = 16, epochs = 3;
        int steps = (n + batch - 1) / batch; // the last, smaller batch is a step too
        Dataset train = SyntheticData.blobs(n, 5, 3, 0.1, 7);
        Dataset test = SyntheticData.blobs(30, 5, 3, 0.1, 8);
        TrainConfig config = new TrainConfig(new int[]{8}, Activation.RELU, LossKind.SOFTMAX_CE, 0.1f, batch, epochs,
                0.0, 1L, Init.AUTO);
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        try (CpuBackend backend = new CpuBackend(); Trainer trainer = new Trainer(backend, config, train, test)) {
            trainer.fit(new Recording(events), null, m -> events.add("metrics " + m.epoch()));
        }
        List<String> expected = new ArrayList<>();
        for (int e = 1; e <= epochs; e++) {
            expected.add("start " + e + " " + steps);
            expected.addAll(Collections.nCopies(steps, "step"));
            expected.add("end"); // before the epoch's metrics are handed out
            expected.add("metrics " + e);
        }
        assertEquals(expected, events);
    }

    @Test
    void theTrainerRefusesANullProgress() {
        Dataset train = SyntheticData.blobs(20, 3, 2, 0.1, 1);
        TrainConfig config = new TrainConfig(new int[]{4}, Activation.RELU, LossKind.SOFTMAX_CE, 0.1f, 10, 1, 0.0, 1L,
                Init.AUTO);
        try (CpuBackend backend = new CpuBackend(); Trainer trainer = new Trainer(backend, config, train, null)) {
            assertThrows(NullPointerException.class, () -> trainer.fit(null, null, m -> { }));
        }
    }

    @Test
    void theTerminalBarShowsTheEpochAndItsSteps() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (TerminalProgress bar = new TerminalProgress(stream, 100)) {
            bar.step(); // before any epoch: ignored, not an error
            bar.startEpoch(2, 7);
            for (int i = 0; i < 7; i++) {
                bar.step();
            }
            bar.endEpoch();
            bar.endEpoch(); // twice: harmless
        }
        String shown = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(shown.contains("epoch 2"), shown);
        assertTrue(shown.contains("7/7 steps"), shown);
        assertFalse(shown.contains("8/7"), shown);
    }
}
