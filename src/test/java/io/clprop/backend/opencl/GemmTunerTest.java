package io.clprop.backend.opencl;

import io.clprop.TestDevices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The tuner's cache (per device and driver version, survives a damaged file), its plan, and timings for real. */
class GemmTunerTest {

    @Test
    void cacheRoundTripAndDefaults(@TempDir Path dir) throws IOException {
        ClDevice d = TestDevices.clDevice();
        DeviceLimits limits = DeviceLimits.of(d);
        Path f = dir.resolve("sub").resolve("gemm-tuning.json");
        assertEquals(GemmConfig.defaultFor(limits), GemmTuner.cachedOrDefault(d, limits, f), "never tuned: the default");
        GemmConfig chosen = GemmConfig.registerBlock(6, 16, 2);
        GemmTuner.save(d, chosen, f);
        assertEquals(chosen, GemmTuner.cachedOrDefault(d, limits, f));
        assertTrue(Files.readString(f).contains(d.driverVersion()), "keyed by driver version");
        Files.writeString(f, "{not json");
        assertEquals(GemmConfig.defaultFor(limits), GemmTuner.cachedOrDefault(d, limits, f),
                "a damaged cache falls back to the default");
        GemmTuner.save(d, chosen, f);
        assertEquals(chosen, GemmTuner.cachedOrDefault(d, limits, f), "and tuning again replaces it");
    }

    /** Entries written before tiles existed ({"rm", "vw", "nv"}, no kind) still read as register blocks. */
    @Test
    void oldCacheEntriesStillRead(@TempDir Path dir) throws IOException {
        ClDevice cpu = GemmConfigKindsTest.device("CPU", 4096, 1 << 20);
        Path f = dir.resolve("gemm-tuning.json");
        Files.writeString(f, "{\"" + GemmTuner.key(cpu) + "\": {\"rm\": 8, \"vw\": 16, \"nv\": 1}}\n");
        assertEquals(GemmConfig.registerBlock(8, 16, 1), GemmTuner.cachedOrDefault(cpu,
                GemmConfigKindsTest.limits("CPU", 4096, 1 << 20), f));
    }

    /** A driver update re-tunes: the choice made under another driver version is not used, nor lost. */
    @Test
    void anEntryForAnotherDriverVersionIsNotUsed(@TempDir Path dir) {
        ClDevice old = GemmConfigKindsTest.device("GPU", "23.1", 1024, 48 << 10);
        ClDevice updated = GemmConfigKindsTest.device("GPU", "23.2", 1024, 48 << 10);
        DeviceLimits limits = GemmConfigKindsTest.limits("GPU", 1024, 48 << 10);
        Path f = dir.resolve("gemm-tuning.json");
        GemmConfig tuned = GemmConfig.tiled(32, 64, 8, 4, 8);
        GemmTuner.save(old, tuned, f);
        assertEquals(tuned, GemmTuner.cachedOrDefault(old, limits, f));
        assertEquals(GemmConfig.defaultFor(limits), GemmTuner.cachedOrDefault(updated, limits, f),
                "the same device under driver 23.2 has not been tuned");
        GemmTuner.save(updated, GemmConfig.DEFAULT, f);
        assertEquals(GemmConfig.DEFAULT, GemmTuner.cachedOrDefault(updated, limits, f));
        assertEquals(tuned, GemmTuner.cachedOrDefault(old, limits, f), "each driver version keeps its own entry");
    }

    @Test
    void tiledChoicesRoundTripAndAreRecheckedAgainstTheDevice(@TempDir Path dir) throws IOException {
        ClDevice gpu = GemmConfigKindsTest.device("GPU", 1024, 48 << 10);
        DeviceLimits gpuLimits = GemmConfigKindsTest.limits("GPU", 1024, 48 << 10);
        DeviceLimits small = GemmConfigKindsTest.limits("GPU", 128, 48 << 10); // the same device (key), 128 items
        Path f = dir.resolve("gemm-tuning.json");
        assertEquals(GemmConfig.GPU_DEFAULT, GemmTuner.cachedOrDefault(gpu, gpuLimits, f), "a GPU never tuned gets tiles");
        GemmConfig chosen = GemmConfig.tiled(128, 128, 16, 8, 8);
        GemmTuner.save(gpu, chosen, f);
        assertEquals(chosen, GemmTuner.cachedOrDefault(gpu, gpuLimits, f));
        assertTrue(Files.readString(f).contains("\"kind\": \"tiled\""), Files.readString(f));
        assertEquals(GemmConfig.defaultFor(small), GemmTuner.cachedOrDefault(gpu, small, f),
                "a cached tile the device cannot run (256 items, 128 allowed) falls back to its default");
        GemmTuner.save(gpu, GemmConfig.DEFAULT, f);
        assertEquals(GemmConfig.DEFAULT, GemmTuner.cachedOrDefault(gpu, gpuLimits, f), "a GPU may be tuned to a register block");
    }

    /**
     * The plan: every family, its budget kept (the defaults and the cached choice always first, and never
     * one the device refuses), the same sample for the same seed, all of the space with budget 0.
     */
    @Test
    void thePlanSamplesEveryFamilyWithinTheBudget() {
        DeviceLimits gpu = GemmConfigKindsTest.limits("GPU", 1024, 48 << 10);
        GemmConfig cached = GemmConfig.tiled(16, 128, 8, 2, 8);
        GemmConfig refused = GemmConfig.tiled(128, 128, 8, 1, 1); // 16384 items
        List<GemmConfig> always = List.of(cached, refused, GemmConfig.GPU_DEFAULT, GemmConfig.DEFAULT);
        GemmTuner.Plan p = GemmTuner.plan(gpu, always, 5, 7);
        assertEquals(List.of(cached, GemmConfig.GPU_DEFAULT, GemmConfig.DEFAULT), p.timed().subList(0, 3));
        assertFalse(p.timed().contains(refused), "a configuration the device refuses is never timed");
        assertEquals(10, p.timed().size(), "5 per family");
        assertEquals(p.timed().size(), new HashSet<>(p.timed()).size(), "no candidate twice");
        for (GemmTuner.FamilyPlan f : p.families()) {
            assertEquals(5, f.timed(), f.family());
            assertTrue(f.timed() <= f.kept() && f.kept() <= f.fit() && f.fit() <= f.configurations(), f.toString());
        }
        for (GemmConfig c : p.timed()) {
            assertEquals(Optional.empty(), c.unfitFor(gpu), c.buildOptions());
        }
        assertEquals(p, GemmTuner.plan(gpu, always, 5, 7), "the same seed, the same sample");
        assertNotEquals(p.timed(), GemmTuner.plan(gpu, always, 5, 8).timed(), "another seed, another sample");
        GemmTuner.Plan all = GemmTuner.plan(gpu, always, 0, 7);
        int generated = 0;
        for (GemmSpace.Family<? extends GemmConfig> f : GemmSpace.FAMILIES) {
            generated += f.generate(gpu).size();
            assertTrue(all.timed().containsAll(f.generate(gpu)), f.name());
        }
        assertEquals(generated, all.timed().size(), "budget 0: everything generated (the defaults are in the space)");
    }

    @Test
    void aTileTheDeviceCannotRunIsSkippedNotTimed() {
        // Checked before anything is built: the device's handles are never touched.
        GemmTuner.Timing t = GemmTuner.time(GemmConfigKindsTest.device("GPU", 64, 32 << 10),
                GemmConfigKindsTest.limits("GPU", 64, 32 << 10), GemmConfig.GPU_DEFAULT, Double.POSITIVE_INFINITY);
        assertTrue(t.skipped() != null && t.skipped().contains("256 items exceeds"), String.valueOf(t));
        assertTrue(Double.isNaN(t.microseconds()));
    }

    @Test
    void timingIsMeasured() {
        ClDevice d = TestDevices.clDevice();
        DeviceLimits limits = DeviceLimits.of(d);
        // The largest default tile the device runs (64×64 on PoCL; llvmpipe's kernels allow only 32 items).
        GemmConfig tile = GemmConfig.defaultTileFor(limits).orElseThrow();
        for (GemmConfig c : new GemmConfig[]{GemmConfig.DEFAULT, tile}) {
            GemmTuner.Timing t = GemmTuner.time(d, limits, c, Double.POSITIVE_INFINITY);
            assertEquals(null, t.skipped(), c.buildOptions());
            assertEquals(5, t.samples(), "never cut without a best to compare with");
            assertTrue(t.microseconds() > 0 && Double.isFinite(t.microseconds()), c.buildOptions() + ": " + t.microseconds());
            assertTrue(t.gflops() > 0 && Double.isFinite(t.gflops()), c.buildOptions() + ": " + t.gflops());
        }
        GemmTuner.Timing cut = GemmTuner.time(d, limits, GemmConfig.DEFAULT, 0.0);
        assertEquals(1, cut.samples(), "slower than the bound after one round: not timed further");
    }

    /**
     * A whole tuning run on the test device with a small budget: the fastest candidate that ran is chosen,
     * saved, and read back as the device's configuration.
     */
    @Test
    void tuneChoosesTheFastestItTimedAndCachesIt(@TempDir Path dir) {
        ClDevice d = TestDevices.clDevice();
        DeviceLimits limits = DeviceLimits.of(d);
        GemmTuner.Plan plan = GemmTuner.plan(limits, GemmConfig.defaultsFor(limits), 2, 1);
        Path f = dir.resolve("gemm-tuning.json");
        List<GemmTuner.Timing> seen = new ArrayList<>();
        GemmTuner.Timing best = GemmTuner.tune(d, plan, f, seen::add);
        assertEquals(plan.timed(), seen.stream().map(GemmTuner.Timing::config).toList(), "every candidate reported, in order");
        assertTrue(seen.stream().anyMatch(t -> t.config() instanceof GemmConfig.Tiled), "tiles are searched on every device");
        for (GemmTuner.Timing t : seen) {
            assertNull(t.skipped(), "the plan holds only what the device runs: " + t);
            assertTrue(best.microseconds() <= t.microseconds(), best + " vs " + t);
        }
        assertEquals(best.config(), GemmTuner.cachedOrDefault(d, limits, f));
    }

    /**
     * A tiled choice within the limits given but refused by the driver once built (its kernels allow fewer
     * items than the tile needs) gives way to the next choice, so a device is never left with it. PoCL's
     * kernels allow 4096 items: a 64×128 tile of 1×1 per item (8192 items) is refused after the build.
     */
    @Test
    void aTileTheBuiltKernelRefusesGivesWayToTheNext() {
        ClDevice d = TestDevices.clDevice();
        DeviceLimits real = DeviceLimits.of(d);
        GemmConfig.Tiled tooBig = GemmConfig.tiled(64, 128, 8, 1, 1); // 128 × 64 = 8192 items
        assumeTrue(tooBig.itemsPerGroup() > real.maxWorkGroupSize(), "the device runs even " + tooBig.itemsPerGroup());
        assertTrue(OpenClBackend.tiledKernelRefusal(d, tooBig).orElseThrow().contains("items per work-group"));
        GemmConfig next = GemmConfig.tiled(16, 16, 8, 4, 4);
        assertEquals(next, GemmTuner.firstRunnable(d, List.of(tooBig, next, GemmConfig.DEFAULT)));
    }
}
