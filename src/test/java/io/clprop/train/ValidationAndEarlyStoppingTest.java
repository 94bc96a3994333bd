package io.clprop.train;

import io.clprop.SyntheticData;
import io.clprop.TestDevices;
import io.clprop.backend.Backend;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.data.Dataset;
import io.clprop.nn.optim.OptimizerConfig;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValidationAndEarlyStoppingTest {

    @Test
    void splitIsDisjointCompleteAndDrawnWithTheSeed() {
        Dataset all = SyntheticData.blobs(1000, 3, 4, 0.3, 7);
        ValidationSplit a = ValidationSplit.of(all, 0.1, 1), b = ValidationSplit.of(all, 0.1, 1),
                c = ValidationSplit.of(all, 0.1, 2);
        assertEquals(100, a.validation().size());
        assertEquals(900, a.train().size());
        assertArrayEquals(a.validation().features(), b.validation().features());
        assertFalse(java.util.Arrays.equals(a.validation().features(), c.validation().features()));
        // Every sample lands in exactly one part: compare the multisets of rows.
        Set<String> rows = new HashSet<>();
        for (Dataset d : new Dataset[]{a.train(), a.validation()}) {
            for (int i = 0; i < d.size(); i++) {
                assertTrue(rows.add(java.util.Arrays.toString(d.row(i)) + d.labels()[i]), "duplicate row");
            }
        }
        assertEquals(1000, rows.size());
        assertEquals(null, ValidationSplit.of(all, 0, 1).validation());
        assertThrows(IllegalArgumentException.class, () -> ValidationSplit.of(all, 0.0001, 1));
    }

    @Test
    void validationFiguresMatchAcrossBackends() {
        Dataset data = SyntheticData.blobs(600, 13, 3, 0.8, 3);
        TrainConfig config = TrainConfig.builder().hidden(11).batch(50).epochs(2).validation(0.2).build();
        List<EpochMetrics> dev, host;
        try (Backend b = TestDevices.openCl(); Trainer t = new Trainer(b, config, data, null)) {
            dev = t.fit(m -> { });
            assertEquals(120, t.validationSize());
        }
        try (Backend b = new CpuBackend(); Trainer t = new Trainer(b, config, data, null)) {
            host = t.fit(m -> { });
        }
        for (int e = 0; e < 2; e++) {
            assertTrue(dev.get(e).hasValidation());
            // The losses differ by float rounding only (same weights to ~1e-7, see TrainingCrossCheckTest).
            assertEquals(host.get(e).validationLoss(), dev.get(e).validationLoss(), 1e-4);
            assertEquals(host.get(e).validationAccuracy(), dev.get(e).validationAccuracy(), 1.0 / 120 + 1e-9);
            assertTrue(Double.isNaN(dev.get(e).testAccuracy()));
        }
    }

    /**
     * A learning rate far too high for Adam makes the validation loss worsen after the first epochs; with
     * patience 2 the run must stop early and hold exactly the weights it had at the end of the best epoch.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"cpu", "opencl"})
    void earlyStoppingRestoresTheBestEpochsWeights(String device) {
        Dataset data = SyntheticData.blobs(400, 10, 3, 1.5, 5);
        TrainConfig config = TrainConfig.builder().hidden(64, 64).batch(20).epochs(40).validation(0.25).patience(2)
                .optimizer(OptimizerConfig.adam()).learningRate(0.05).seed(3).build();
        try (Backend b = device.equals("cpu") ? new CpuBackend() : TestDevices.openCl();
             Trainer t = new Trainer(b, config, data, null)) {
            List<float[]> weights = new ArrayList<>();
            List<EpochMetrics> ms = t.fit(m -> weights.add(t.network().parameters()));
            assertTrue(t.stoppedEarly(), "expected an early stop within 40 epochs: " + ms);
            int best = t.bestEpoch();
            double bestLoss = ms.get(best - 1).validationLoss();
            for (EpochMetrics m : ms) {
                assertTrue(m.validationLoss() >= bestLoss);
            }
            assertEquals(best + 2, ms.size(), "stops after patience epochs without improvement");
            assertArrayEquals(weights.get(best - 1), t.network().parameters());
            assertNotEquals(ms.size(), best);
        }
    }

    @Test
    void patienceNeedsAValidationSplit() {
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.builder().patience(3).build());
        assertThrows(IllegalArgumentException.class, () -> TrainConfig.builder().validation(1.0).build());
    }
}
