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
        assertEquals(Activation.HIDDEN.size() * LossKind.values().length + 4, results.size());
        assertEquals("train_step[" + Activation.HIDDEN.get(0).specName() + "/" + LossKind.values()[0].specName + "]",
                results.get(0).what());
        assertEquals("train_step[relu/softmax-ce, dropout 0.3]", results.get(results.size() - 4).what());
        List<Comparison> conv = results.subList(results.size() - 2, results.size());
        assertEquals("train_step[conv/softmax-ce]", conv.get(0).what());
        assertEquals("train_step[conv/mse, dropout 0.3]", conv.get(1).what());
        for (Comparison r : conv) {
            assertTrue(r.passed(), r.row());
            assertTrue(r.where().matches("3×9×7 conv:5:3:pad1,relu,maxpool:2,conv:7:2:stride2:pad1,tanh,flatten,"
                    + "dense:11,relu,dense:7(,sigmoid)? x9 worst d?[Wb]\\d"), r.where());
            // K = the first convolution's 9 rows × 63 windows; five layers.
            assertEquals(8.0 * 5 * (9 * 63 + 2) * Comparison.U, r.tolerance());
        }
        for (Comparison r : results.subList(0, results.size() - 2)) {
            assertTrue(r.passed(), r.row());
            assertTrue(r.where().matches("29-17-11-7 x9 worst d?[Wb]\\d"), r.where());
            assertEquals(8.0 * 3 * (29 + 2) * Comparison.U, r.tolerance()); // K = 29 inputs, three layers
        }
    }
}
