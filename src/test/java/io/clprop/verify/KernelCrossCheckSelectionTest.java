package io.clprop.verify;

import io.clprop.backend.cpu.CpuBackend;
import io.clprop.backend.Activation;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a small selection of the suite runs (`verify --cases N`, bin/sanitize's 220 cases per pass): every
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
                // bin/sanitize's 220: at least 5 per kernel (about 41 kernels), each on its own shape with
                // its own activation.
                List<String[]> small = fused(KernelCrossCheck.select(suite, 220), kernel);
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
    void aSmallSelectionRunsTheWindowKernelsOnOverlappingPaddedAndStridedWindows() {
        // bin/sanitize's 220 give each of the kernels at least 4 cases: the convolution's and pool's must include
        // windows that overlap (stride below the window: col2im's and the pool backward's sums), padding and
        // stride 2, so that Oclgrind sees those paths of the kernels.
        try (CpuBackend cpu = new CpuBackend(CpuBackend.Precision.FLOAT);
             KernelCrossCheck check = new KernelCrossCheck(cpu, 1)) {
            List<KernelCrossCheck.Case> small = KernelCrossCheck.select(check.suite(), 220);
            Pattern window = Pattern.compile(" k(\\d+)s(\\d+)p(\\d+)$");
            for (String kernel : List.of("im2col", "col2im", "maxpool_forward", "maxpool_backward")) {
                List<int[]> geometries = small.stream().filter(c -> c.kernel().equals(kernel))
                        .map(c -> window.matcher(c.run().get().where())).filter(Matcher::find)
                        .map(m -> new int[]{Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                                Integer.parseInt(m.group(3))}).toList();
                assertTrue(geometries.size() >= 4, kernel + ": " + geometries.size() + " cases");
                assertTrue(geometries.stream().anyMatch(g -> g[1] < g[0]), kernel + ": no overlapping windows");
                assertTrue(geometries.stream().anyMatch(g -> g[2] > 0), kernel + ": no padding");
                assertTrue(geometries.stream().anyMatch(g -> g[1] == 2), kernel + ": no stride 2");
            }
        }
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
