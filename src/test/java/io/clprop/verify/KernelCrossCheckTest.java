package io.clprop.verify;

import io.clprop.TestDevices;
import io.clprop.backend.Activation;
import io.clprop.backend.opencl.OpenClBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kernel against its CPU twin over the suite's awkward shapes (see {@link KernelCrossCheck} for the
 * tolerances and why). Kernels covered: gemm_nn, gemm_tn, gemm_nt, dense_forward, dense_backward_input,
 * dense_backward_weights, transpose, transpose_each, bias_add, activate,
 * activation_backward, bias_grad, mean_into, nonfinite_flag, mse_loss, softmax_ce, softmax_rows, sgd_update,
 * momentum_update, adam_update, gather_rows, argmax_rows, dropout_forward, dropout_backward, im2col, col2im,
 * maxpool_forward, maxpool_backward (and a device-to-device copy).
 * gemm_tiled.cl's kernels have the names of gemm.cl's products; {@link GemmConfigTest} runs this suite on them.
 */
class KernelCrossCheckTest {
    private static OpenClBackend device;
    private static List<Comparison> results;

    @BeforeAll
    static void runSuite() {
        device = TestDevices.openCl();
        try (KernelCrossCheck check = new KernelCrossCheck(device, 42)) {
            results = check.runSuite();
        }
    }

    @AfterAll
    static void close() {
        if (device != null) {
            device.close();
        }
    }

    @TestFactory
    Stream<DynamicTest> everyCaseWithinTolerance() {
        return results.stream().map(r -> DynamicTest.dynamicTest(r.what() + " " + r.where(),
                () -> assertTrue(r.passed(), r.row())));
    }

    @Test
    void suiteCoversEveryKernelInKernelsFolder() throws IOException {
        // Kernels may carry attributes between __kernel and void (gemm_tiled.cl's reqd_work_group_size).
        Pattern p = Pattern.compile("__kernel\\s+(?:__attribute__\\s*\\(\\(.*?\\)\\)\\s*)*void\\s+(\\w+)");
        Set<String> declared = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("kernels"))) {
            for (Path f : files.filter(x -> x.toString().endsWith(".cl")).collect(Collectors.toList())) {
                Matcher m = p.matcher(Files.readString(f));
                while (m.find()) {
                    declared.add(m.group(1));
                }
            }
        }
        Set<String> checked = new TreeSet<>();
        for (Comparison r : results) {
            // A check of kernels that run together names them all: "dense_backward_weights_split+sum_slices".
            checked.addAll(List.of(r.what().replaceAll("[\\[(].*", "").split("\\+")));
        }
        declared.removeAll(checked);
        assertEquals(Set.of(), declared, "kernels with no cross-check");
    }

    /** The shapes each named kernel was compared on (the comparison's shape, an index check's suffix cut). */
    private static Map<String, List<String>> shapesByKernel() {
        Map<String, List<String>> shapes = new TreeMap<>();
        for (Comparison r : results) {
            assertTrue(r.passed(), r.row());
            shapes.computeIfAbsent(r.what(), k -> new ArrayList<>()).add(r.where().replace(" argmax", ""));
        }
        return shapes;
    }

    /**
     * dense_forward_narrow takes the forward products whose K is below 16 (a first convolution's 3×3
     * windows over one channel), dense_forward the rest: each compared with the CPU twin, with every
     * activation, on every product shape of its side (K = 1, 2, 3, 5, 7, 9, 13; N of 1, 3, 7, 31, 32, 257,
     * 1000, cut by the 16-wide column vector or not).
     */
    @Test
    void denseForwardNarrowIsCheckedOnEveryProductWithAShortK() {
        Map<String, List<String>> shapes = shapesByKernel();
        for (Activation f : Activation.values()) {
            List<String> narrow = new ArrayList<>(), wide = new ArrayList<>();
            for (int[] s : KernelCrossCheck.MATMUL_SHAPES) {
                (s[2] < OpenClBackend.NARROW_K ? narrow : wide).add(s[0] + "x" + s[1] + "x" + s[2]);
            }
            assertTrue(narrow.contains("67x32x9") && narrow.size() >= 9, "narrow shapes: " + narrow);
            assertEquals(narrow, shapes.get("dense_forward_narrow[" + f.specName() + "]"), f.specName());
            assertEquals(wide, shapes.get("dense_forward[" + f.specName() + "]"), f.specName());
        }
    }

    /**
     * A long weight gradient with fewer than 16 columns (the first convolution's C_out × 9) runs
     * dense_backward_weights_narrow, then sum_slices; a wider one the split register block: each compared
     * with the CPU twin on its own shapes, the narrow one on 3 × 5 (a block of rows cut short), 1 × 1,
     * 32 × 9 (the reference CNN's first convolution over 3 images) and 37 × 15 (its widest dW, two blocks
     * of rows and a third cut short).
     */
    @Test
    void theNarrowWeightGradientIsCheckedOnItsOwnShapes() {
        Map<String, List<String>> shapes = shapesByKernel();
        assertEquals(List.of("3x5x4099", "1x1x5000", "32x9x2352", "37x15x3001"),
                shapes.get("dense_backward_weights_narrow+sum_slices"));
        assertEquals(List.of("7x33x2048", "64x18x25088"), shapes.get(KernelCrossCheck.SPLIT_WEIGHTS));
    }

    /**
     * maxpool_forward_2x2 takes the 2×2 stride-2 unpadded pools, maxpool_forward the rest: each compared with
     * the CPU twin (maxima and argmax indices, on tie-heavy inputs) on its own geometries, the 2×2 one on
     * 28×28 images (its 8-wide, 4-wide and scalar steps), 4×4, 5×5 and 7×9 (a row and a column left over).
     */
    @Test
    void maxPoolForward2x2IsCheckedOnTheTwoByTwoPools() {
        Map<String, List<String>> shapes = shapesByKernel();
        assertEquals(List.of("1x1x4x4 k2s2p0", "3x1x5x5 k2s2p0", "1x3x7x9 k2s2p0", "1x7x28x28 k2s2p0",
                "3x32x28x28 k2s2p0"), shapes.get("maxpool_forward_2x2"));
        List<String> generic = shapes.get("maxpool_forward");
        assertEquals(KernelCrossCheck.POOL_SHAPES.length - 5, generic.size(), "generic: " + generic);
        assertTrue(generic.stream().noneMatch(w -> w.endsWith(" k2s2p0")), "generic: " + generic);
    }

    /**
     * The max-pool backward has three OpenCL kernels: maxpool_backward_2x2 for 2×2 stride-2 unpadded
     * windows, maxpool_backward_disjoint for other windows that neither overlap nor are padded, the gather
     * maxpool_backward for the rest. Each is compared with the CPU twin on its own geometries: the 2×2 one on
     * the reference CNN's pools (28×28: its 8-, 4-wide and scalar paths), on images that leave a row and
     * column over (5×5, 7×9); the disjoint one on k = 1 and on windows with gaps between them (k 2 stride 3),
     * where each pixel must be written 0 or its window's gradient; the gather on overlapping and padded
     * windows. Each again with every activation's derivative fused in.
     */
    @Test
    void eachMaxPoolBackwardKernelIsCheckedOnItsOwnGeometries() {
        Map<String, List<String>> shapes = new TreeMap<>();
        for (Comparison r : results) {
            if (r.what().startsWith("maxpool_backward")) {
                assertTrue(r.passed(), r.row());
                shapes.computeIfAbsent(r.what(), k -> new ArrayList<>()).add(r.where());
            }
        }
        List<String> twoByTwo = shapes.get("maxpool_backward_2x2");
        assertEquals(List.of("1x1x4x4 k2s2p0", "3x1x5x5 k2s2p0", "1x3x7x9 k2s2p0", "1x7x28x28 k2s2p0",
                "3x32x28x28 k2s2p0"), twoByTwo, "2x2");
        List<String> disjoint = shapes.get("maxpool_backward_disjoint");
        assertTrue(disjoint.containsAll(List.of("3x7x9x7 k1s1p0", "3x5x9x8 k2s3p0")), "disjoint: " + disjoint);
        for (String w : disjoint) {
            Matcher m = Pattern.compile(" k(\\d+)s(\\d+)p(\\d+)$").matcher(w);
            assertTrue(m.find() && Integer.parseInt(m.group(2)) >= Integer.parseInt(m.group(1))
                    && m.group(3).equals("0"), "not disjoint: " + w);
        }
        List<String> gather = shapes.get("maxpool_backward");
        assertTrue(gather.containsAll(List.of("1x3x5x5 k3s2p1", "3x3x28x28 k3s1p1", "1x5x5x5 k5s1p2")),
                "gather: " + gather);
        assertEquals(KernelCrossCheck.POOL_SHAPES.length, twoByTwo.size() + disjoint.size() + gather.size());
        // With each activation's derivative fused in, both kernels again, on every pool geometry.
        for (Activation f : Activation.values()) {
            if (f == Activation.IDENTITY) {
                continue;
            }
            List<String> fusedTwoByTwo = shapes.getOrDefault("maxpool_backward_2x2[" + f.specName() + "]", List.of());
            List<String> fusedDisjoint = shapes.getOrDefault("maxpool_backward_disjoint[" + f.specName() + "]", List.of());
            List<String> fusedGather = shapes.getOrDefault("maxpool_backward[" + f.specName() + "]", List.of());
            assertEquals(twoByTwo, fusedTwoByTwo, f.specName());
            assertEquals(disjoint, fusedDisjoint, f.specName());
            assertEquals(gather, fusedGather, f.specName());
        }
    }

    @Test
    void suiteIsLargeEnough() {
        assertTrue(results.size() >= 100, "only " + results.size() + " cases");
    }

    @Test
    void aWrongResultIsCaught() {
        // The check itself must be able to fail: a result off by one part in 10⁴ breaks every bound used.
        Comparison r = Comparison.of("gemm_nn", "1x1x1", new float[]{1.0001f}, new float[]{1}, 0, 1,
                Comparison.Scale.of(new double[]{1}), 3 * Comparison.U);
        assertTrue(!r.passed(), r.row());
    }
}
