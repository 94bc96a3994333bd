package io.clprop.verify;

import io.clprop.TestDevices;
import io.clprop.backend.opencl.ClDevice;
import io.clprop.backend.opencl.DeviceLimits;
import io.clprop.backend.opencl.GemmConfig;
import io.clprop.backend.opencl.OpenClBackend;
import io.clprop.backend.Activation;
import io.clprop.util.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The matrix-multiply kernels' shape is a set of -D defines a tuner may change; every shape it can choose
 * must stay correct on every matrix size, edges included. Same suite and tolerances as
 * {@link KernelCrossCheckTest}.
 * <ul>
 *   <li>Register blocks (gemm.cl): the plain products and the fused backward kernels that share their
 *       code (dense_forward uses gemm_nt, whose block is fixed). Besides the device's default, which every
 *       other test uses (8 × 2·float16 on PoCL with AVX-512), the portable default 4 × 2·float16 (the last
 *       fallback on every device) and three shapes no default has.</li>
 *   <li>Tiles (gemm_tiled.cl): the whole suite, since all six products come from that file; the largest
 *       default tile the device runs (the GPU default, 64×64, on PoCL), a small one (16×16 tiles, k chunks
 *       of 8, 4×2 per item: many edge tiles on the suite's shapes), and a non-square one with no power of
 *       two (24×40 tiles, k chunks of 5, 6×5 per item), which exercises the copies' index arithmetic and a
 *       chunk that never divides K evenly. The last two have 32 items per group, which every device tested
 *       allows (rusticl on llvmpipe allows no more).</li>
 * </ul>
 */
class GemmConfigTest {

    @ParameterizedTest(name = "RM={0} VW={1} NV={2}")
    @CsvSource({"1,2,1", "3,4,3", "4,16,2", "8,16,1"})
    void everyBlockShapeMatchesTheCpuReference(int rm, int vw, int nv) {
        try (OpenClBackend device = TestDevices.openCl(GemmConfig.registerBlock(rm, vw, nv));
             KernelCrossCheck check = new KernelCrossCheck(device, rm * 100 + vw * 10 + nv)) {
            for (int[] s : KernelCrossCheck.MATMUL_SHAPES) {
                for (int form = 0; form < 3; form++) {
                    Comparison r = check.matmul(s[0], s[1], s[2], form == 1, form == 2);
                    assertTrue(r.passed(), "RM=" + rm + " VW=" + vw + " NV=" + nv + ": " + r.row());
                }
                for (Activation f : Activation.values()) {
                    Comparison r = check.denseBackwardInput(s[0], s[1], s[2], f);
                    assertTrue(r.passed(), "RM=" + rm + " VW=" + vw + " NV=" + nv + ": " + r.row());
                }
                Comparison r = check.denseBackwardWeights(s[0], s[1], s[2]);
                assertTrue(r.passed(), "RM=" + rm + " VW=" + vw + " NV=" + nv + ": " + r.row());
            }
        }
    }

    @ParameterizedTest(name = "TSM={0} TSN={1} TSK={2} WPTM={3} WPTN={4}")
    @CsvSource({"16,16,8,4,2", "24,40,5,6,5"})
    void everyTileShapePassesTheWholeSuite(int tsm, int tsn, int tsk, int wptm, int wptn) {
        passesTheWholeSuite(GemmConfig.tiled(tsm, tsn, tsk, wptm, wptn));
    }

    @Test
    void theDevicesDefaultTilePassesTheWholeSuite() {
        passesTheWholeSuite(defaultTile(TestDevices.clDevice()));
    }

    private static void passesTheWholeSuite(GemmConfig.Tiled config) {
        long t0 = System.nanoTime();
        List<Comparison> results;
        try (OpenClBackend device = TestDevices.openCl(config);
             KernelCrossCheck check = new KernelCrossCheck(device, config.tsm() * 1000L + config.tsk())) {
            assertEquals("-cl-std=CL1.2 " + config.buildOptions(), device.buildOptions().get("gemm_tiled.cl"),
                    "the products come from gemm_tiled.cl");
            results = check.runSuite();
        }
        System.out.printf("tiled %s: %d cases in %.1f s%n", config.buildOptions(), results.size(),
                (System.nanoTime() - t0) / 1e9);
        Set<String> products = new TreeSet<>();
        for (Comparison r : results) {
            assertTrue(r.passed(), config.buildOptions() + ": " + r.row());
            products.add(r.what().replaceAll("[\\[(].*", ""));
        }
        assertTrue(products.containsAll(Set.of("gemm_nn", "gemm_tn", "gemm_nt", "dense_forward",
                "dense_backward_input", "dense_backward_weights")), "every product checked: " + products);
    }

    /**
     * A tiled build whose tile disagrees with the host's (TSM and WPTM both halved, e.g. -DTSM=32 -DWPTM=2 for
     * the 64×64 default: the same rows of work-items, so the launch is accepted, but each group computes half
     * the rows the host assigns it) leaves rows unwritten: every product form must fail on the larger
     * shapes, and the kernels of other files pass.
     */
    @Test
    void aWronglyBuiltTiledKernelFailsTheCrossCheck() {
        ClDevice d = TestDevices.clDevice();
        GemmConfig.Tiled t = defaultTile(d);
        Set<String> failed = new TreeSet<>();
        try (OpenClBackend wrong = new OpenClBackend(d, t,
                Map.of("gemm_tiled.cl", "-DTSM=" + t.tsm() / 2 + " -DWPTM=" + t.wptm() / 2));
             KernelCrossCheck check = new KernelCrossCheck(wrong, 7)) {
            for (int[] s : KernelCrossCheck.MATMUL_SHAPES) {
                if (s[0] <= t.tsm() / 2) {
                    continue; // every row lies in the part of the tile that is computed
                }
                List<Comparison> rs = GemmProducts.check(check, s);
                for (Comparison r : rs) {
                    if (!r.passed()) {
                        failed.add(r.what().replaceAll("[\\[(].*", ""));
                    }
                }
            }
            assertTrue(check.transpose(61, 127).passed(), "gemm.cl's transpose is unaffected");
            assertTrue(check.softmaxCrossEntropy(31, 33).passed(), "other files' kernels are unaffected");
        }
        assertEquals(Set.of("gemm_nn", "gemm_tn", "gemm_nt", "dense_forward", "dense_backward_input",
                "dense_backward_weights"), failed, "every product form caught");
    }

    /**
     * A build option that changes the tiled kernels' work-group shape without the host's (WPTM halved: twice
     * the rows of items declared, e.g. 16×32 for the 64×64 default launched as 16×16) is refused when the
     * backend opens, naming both sizes, instead of every launch failing later.
     */
    @Test
    void aWorkGroupMismatchIsRefusedWhenTheBackendOpens() {
        ClDevice d = TestDevices.clDevice();
        GemmConfig.Tiled t = defaultTile(d);
        long[] l = t.localSize();
        UserError e = assertThrows(UserError.class,
                () -> new OpenClBackend(d, t, Map.of("gemm_tiled.cl", "-DWPTM=" + t.wptm() / 2)).close());
        assertTrue(e.getMessage().contains("work-group as " + l[0] + "×" + 2 * l[1] + " items")
                && e.getMessage().contains("launches " + l[0] + "×" + l[1]), e.getMessage());
    }

    /** The largest of the default tiles the device runs (GemmConfig.GPU_CHAIN); every test device runs one. */
    private static GemmConfig.Tiled defaultTile(ClDevice d) {
        return GemmConfig.defaultTileFor(DeviceLimits.of(d)).orElseThrow();
    }

}
