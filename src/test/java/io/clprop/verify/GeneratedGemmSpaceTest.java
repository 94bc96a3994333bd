package io.clprop.verify;

import io.clprop.TestDevices;
import io.clprop.backend.opencl.ClDevice;
import io.clprop.backend.opencl.DeviceLimits;
import io.clprop.backend.opencl.GemmConfig;
import io.clprop.backend.opencl.GemmTuner;
import io.clprop.backend.opencl.OpenClBackend;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the tuner may choose on the test device builds there and computes the products correctly: a sample of
 * the space generated for the device's own limits — {@link #PER_FAMILY} configurations of each family, the
 * device's default among them, drawn as `clprop tune` draws its candidates — each opened as a backend (the
 * build-time work-group checks included) and cross-checked against the CPU path on every product form and
 * the fused dense kernels. The whole space (628 configurations on PoCL 3.1 with AVX-512) takes tens of
 * minutes of builds, so the suite checks a sample and CLPROP_TEST_GEMM_SAMPLE=0 checks everything;
 * {@link GemmConfigTest} covers chosen shapes with the whole suite.
 *
 * <p>Shapes: {@link #SHAPES}, edges where a shape goes wrong — 1, and primes, which no tile or block
 * divides, both under and over a tile, in rows, columns and k. Few, because on PoCL every distinct global
 * size of a register-block kernel compiles another work-group function (the driver picks the local size):
 * the whole {@link KernelCrossCheck#MATMUL_SHAPES} took 33–43 s per register block, these 13–18 s, on a cold
 * PoCL cache (tiles 3–4 s). Hence 2 per family: on PoCL the default register block, one other block and two
 * tiles; 44 s alone on a cold cache, of which the default block's 15 s and the other kernel files' builds
 * are paid by the rest of the suite anyway.
 */
class GeneratedGemmSpaceTest {
    /** Configurations per family; CLPROP_TEST_GEMM_SAMPLE overrides it (0: the whole generated space). */
    static final int PER_FAMILY = Integer.parseInt(System.getenv().getOrDefault("CLPROP_TEST_GEMM_SAMPLE", "2"));
    static final int[][] SHAPES = {{1, 1, 1}, {5, 33, 17}, {13, 97, 61}, {61, 127, 257}, {257, 3, 31}};
    /** Changing it draws another sample; the configurations checked are printed either way. */
    static final long SEED = 11;

    @Test
    void aSampleOfTheGeneratedSpaceBuildsAndMatchesTheCpuReference() {
        ClDevice d = TestDevices.clDevice();
        DeviceLimits limits = DeviceLimits.of(d);
        GemmTuner.Plan plan = GemmTuner.plan(limits, GemmConfig.defaultsFor(limits), PER_FAMILY, SEED);
        assertTrue(plan.timed().stream().anyMatch(c -> c instanceof GemmConfig.Tiled), "tiles fit every test device");
        List<String> failures = new ArrayList<>();
        for (GemmConfig c : plan.timed()) {
            long t0 = System.nanoTime();
            int cases = 0;
            try (OpenClBackend device = new OpenClBackend(d, c);
                 KernelCrossCheck check = new KernelCrossCheck(device, c.hashCode())) {
                for (int[] s : SHAPES) {
                    List<Comparison> rs = GemmProducts.check(check, s);
                    for (Comparison r : rs) {
                        cases++;
                        if (!r.passed()) {
                            failures.add(c.buildOptions() + ": " + r.row());
                        }
                    }
                }
            }
            System.out.printf("generated %-46s %d cases in %.1f s%n", c.buildOptions(), cases, (System.nanoTime() - t0) / 1e9);
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }
}
