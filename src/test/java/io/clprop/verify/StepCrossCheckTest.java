package io.clprop.verify;

import io.clprop.backend.Activation;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.nn.LossKind;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** verify's whole-step checks, with the CPU path standing in for the device (the CLI tests run them on OpenCL). */
class StepCrossCheckTest {
    @Test
    void everyPairAndTheDropoutStepsPassAndSayWhatTheyChecked() {
        List<Comparison> results;
        try (CpuBackend device = new CpuBackend()) {
            results = StepCrossCheck.allPairs(device, 42);
        }
        assertEquals(Activation.HIDDEN.size() * LossKind.values().length + 2, results.size());
        assertEquals("train_step[" + Activation.HIDDEN.get(0).specName() + "/" + LossKind.values()[0].specName + "]",
                results.get(0).what());
        assertEquals("train_step[relu/softmax-ce, dropout 0.3]", results.get(results.size() - 2).what());
        for (Comparison r : results) {
            assertTrue(r.passed(), r.row());
            assertTrue(r.where().matches("29-17-11-7 x9 worst d?[Wb]\\d"), r.where());
            assertEquals(8.0 * 3 * (29 + 2) * Comparison.U, r.tolerance()); // K = 29 inputs, three layers
        }
    }
}
