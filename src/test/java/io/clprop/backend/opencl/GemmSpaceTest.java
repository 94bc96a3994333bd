package io.clprop.backend.opencl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The search space generated for devices of several kinds, judged against the limits computed here from
 * their definitions rather than through the space's own rules: everything generated is valid, nothing valid
 * and unpruned is missing, and tiles are among it wherever any fits.
 */
class GemmSpaceTest {

    /**
     * Limit sets: llvmpipe as rusticl 22.3 reports it (1024 items for the device but 32 for every kernel,
     * 32 KiB, vector width 1) and with 16 KiB of local memory; GPUs of 1024 items and 48 KiB (with 64 along
     * the rows of C, as CUDA's z dimension) and of 256 items and 64 KiB; PoCL as measured here (4096 items,
     * 512 KiB, width 16 on AVX-512).
     */
    static Stream<Arguments> devices() {
        return Stream.of(
                Arguments.of("llvmpipe", new DeviceLimits(false, 1024, 32, 1024, 1024, 32 << 10, 1, 1)),
                Arguments.of("llvmpipe, 16 KiB", new DeviceLimits(false, 1024, 32, 1024, 1024, 16 << 10, 1, 1)),
                Arguments.of("GPU 1024 / 48 KiB", new DeviceLimits(true, 1024, 1024, 1024, 64, 48 << 10, 1, 1)),
                Arguments.of("GPU 256 / 64 KiB", new DeviceLimits(true, 256, 256, 256, 256, 64 << 10, 4, 4)),
                Arguments.of("PoCL", new DeviceLimits(false, 4096, 4096, 4096, 4096, 512 << 10, 16, 16)));
    }

    /** What the device runs, from the definitions: group size (both maxima), each dimension, local memory. */
    static boolean deviceRuns(GemmConfig.Tiled t, DeviceLimits d) {
        long cols = t.tsn() / t.wptn(), rows = t.tsm() / t.wptm();
        long bytes = 4L * t.tsk() * (t.tsm() + 1 + t.tsn() + 1); // As and Bs with one word of padding per row
        return cols * rows <= d.deviceMaxWorkGroupSize() && cols * rows <= d.kernelMaxWorkGroupSize()
                && cols <= d.maxItems0() && rows <= d.maxItems1() && bytes <= d.localMemBytes();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("devices")
    void onlyValidConfigurationsAndEveryUnprunedOne(String name, DeviceLimits d) {
        List<GemmConfig.Tiled> tiles = GemmSpace.TILED.generate(d);
        List<GemmConfig.RegisterBlock> blocks = GemmSpace.REGISTER_BLOCK.generate(d);
        System.out.printf("%s: %d register blocks, %d tiles (of %d and %d)%n", name, blocks.size(), tiles.size(),
                GemmSpace.REGISTER_BLOCK.configurations().size(), GemmSpace.TILED.configurations().size());
        assertFalse(tiles.isEmpty(), name + ": tiles fit, so some are generated");
        assertFalse(blocks.isEmpty(), name);
        for (GemmConfig.Tiled t : tiles) {
            assertTrue(deviceRuns(t, d), name + ": " + t.buildOptions());
            assertEquals(Optional.empty(), t.unfitFor(d), t.buildOptions());
            assertEquals(0, t.tsm() % t.wptm() + t.tsn() % t.wptn(), "whole register blocks: " + t.buildOptions());
        }
        for (GemmConfig.Tiled t : GemmSpace.TILED.configurations()) {
            boolean generated = tiles.contains(t);
            if (deviceRuns(t, d) && GemmSpace.TILED.pruned(t, d).isEmpty()) {
                assertTrue(generated, name + ": runs, not pruned, yet missing: " + t.buildOptions());
            }
            assertEquals(deviceRuns(t, d), t.unfitFor(d).isEmpty(), name + ": the rules and the definitions disagree on "
                    + t.buildOptions() + " (" + t.unfitFor(d) + ")");
        }
        int width = Math.max(1, d.preferredFloatWidth());
        for (GemmConfig.RegisterBlock b : GemmSpace.REGISTER_BLOCK.configurations()) {
            assertEquals(Optional.empty(), b.unfitFor(d), "register blocks run everywhere");
            assertEquals(b.vw() * b.nv() % width == 0, blocks.contains(b), name + ": " + b.buildOptions());
        }
        long largest = tiles.stream().mapToLong(GemmConfig.Tiled::itemsPerGroup).max().orElseThrow();
        // Every set here has a power-of-two maximum the space can fill exactly (the space's values are powers of two).
        assertEquals(d.maxWorkGroupSize(), largest, name + ": groups as large as the device allows are among the tiles");
        GemmConfig fallback = GemmConfig.defaultFor(d);
        assertEquals(Optional.empty(), fallback.unfitFor(d), name + ": the untuned choice fits too");
    }

    /** The KERNEL rules say exactly what GemmConfig.Tiled's constructor (and gemm_tiled.cl's #error) refuse. */
    @Test
    void theKernelRulesAgreeWithTheConstructor() {
        int agreed = 0, refused = 0;
        for (int tsm : new int[]{12, 16, 24, 40}) {
            for (int tsn : new int[]{16, 20, 48}) {
                for (int wptm : new int[]{1, 3, 4, 8}) {
                    for (int wptn : new int[]{2, 5, 8, 16}) {
                        Map<String, Integer> v = new LinkedHashMap<>();
                        v.put("TSM", tsm);
                        v.put("TSN", tsn);
                        v.put("TSK", 8);
                        v.put("WPTM", wptm);
                        v.put("WPTN", wptn);
                        boolean ruleOk = GemmSpace.TILED.kernelViolation(new GemmSpace.Values(v)).isEmpty();
                        boolean built;
                        try {
                            GemmConfig.tiled(tsm, tsn, 8, wptm, wptn);
                            built = true;
                        } catch (IllegalArgumentException e) {
                            built = false;
                        }
                        assertEquals(built, ruleOk, v.toString());
                        agreed++;
                        refused += built ? 0 : 1;
                    }
                }
            }
        }
        assertTrue(refused > 0 && refused < agreed, "both outcomes exercised: " + refused + " of " + agreed);
    }

    /** The space as data: each parameter's values, each rule stated; the product is the size it should be. */
    @Test
    void theSpaceIsItsParametersProduct() {
        for (GemmSpace.Family<? extends GemmConfig> f : GemmSpace.FAMILIES) {
            int product = 1;
            List<String> names = new ArrayList<>();
            for (GemmSpace.Parameter p : f.parameters()) {
                product *= p.values().size();
                names.add(p.name());
                assertTrue(f.configurations().get(0).buildOptions().contains("-D" + p.name() + "="),
                        f.name() + ": " + p.name() + " is one of the kernel's defines");
            }
            assertEquals(product, f.product().size(), f.name() + " " + names);
            for (var r : f.deviceRules()) {
                assertFalse(r.text().isBlank());
            }
        }
        assertEquals(GemmSpace.TILED, GemmSpace.familyOf(GemmConfig.GPU_DEFAULT));
        assertEquals(GemmSpace.REGISTER_BLOCK, GemmSpace.familyOf(GemmConfig.DEFAULT));
        assertTrue(GemmSpace.TILED.configurations().containsAll(GemmConfig.GPU_CHAIN), "the GPU defaults are in the space");
        assertTrue(GemmSpace.REGISTER_BLOCK.configurations().contains(GemmConfig.DEFAULT));
    }
}
