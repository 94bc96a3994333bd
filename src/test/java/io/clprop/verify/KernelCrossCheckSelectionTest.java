package io.clprop.verify;

import io.clprop.backend.cpu.CpuBackend;
import io.clprop.backend.Activation;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a small selection of the suite runs (`verify --cases N`, bin/sanitize's 200 cases per pass): every
 * fused dense kernel over as many shapes as before the activations were multiplied out, rotating through the
 * hidden activations. Run on the CPU path against itself: only the cases' names and shapes matter here.
 */
class KernelCrossCheckSelectionTest {

    @Test
    void aSmallSelectionSpreadsTheFusedKernelsOverShapesAndActivations() {
        try (CpuBackend cpu = new CpuBackend(CpuBackend.Precision.FLOAT);
             KernelCrossCheck check = new KernelCrossCheck(cpu, 1)) {
            List<KernelCrossCheck.Case> suite = check.suite();
            for (String kernel : List.of("dense_forward", "dense_backward_input")) {
                // bin/sanitize's 200: at least 5 per kernel (about 40 kernels), each on its own shape with
                // its own activation.
                List<String[]> small = fused(KernelCrossCheck.select(suite, 200), kernel);
                assertTrue(small.size() >= 5, kernel + ": " + small.size() + " cases");
                assertEquals(small.size(), small.stream().map(c -> c[0]).distinct().count(), kernel + " shapes");
                assertEquals(small.size(), small.stream().map(c -> c[1]).distinct().count(), kernel + " activations");
                // One more round of every kernel: every hidden activation has had its turn.
                List<String[]> more = fused(KernelCrossCheck.select(suite, 400), kernel);
                assertTrue(more.stream().map(c -> c[1]).collect(Collectors.toSet()).containsAll(
                        Activation.HIDDEN.stream().map(Activation::specName).toList()), kernel);
            }
        }
    }

    /** {shape, activation} of each selected case of {@code kernel}, run on the CPU path to learn them. */
    private static List<String[]> fused(List<KernelCrossCheck.Case> selected, String kernel) {
        return selected.stream().filter(c -> c.kernel().equals(kernel)).map(c -> c.run().get())
                .map(r -> new String[]{r.where(), r.what().replaceAll(".*\\[(.*)]", "$1")}).toList();
    }

    @Test
    void theWholeSuiteRunsEveryActivationOnEveryProductShape() {
        try (CpuBackend cpu = new CpuBackend(CpuBackend.Precision.FLOAT);
             KernelCrossCheck check = new KernelCrossCheck(cpu, 1)) {
            long fused = check.suite().stream().filter(c -> c.kernel().equals("dense_forward")).count();
            assertEquals((long) KernelCrossCheck.MATMUL_SHAPES.length * Activation.values().length, fused);
        }
    }
}
