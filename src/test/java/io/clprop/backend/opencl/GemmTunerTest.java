package io.clprop.backend.opencl;

import io.clprop.TestDevices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tuner's cache: per device, survives a damaged file, and a timing is measured for real. */
class GemmTunerTest {

    @Test
    void cacheRoundTripAndDefaults(@TempDir Path dir) throws IOException {
        ClDevice d;
        try (OpenClBackend b = TestDevices.openCl()) {
            d = b.device();
        }
        Path f = dir.resolve("sub").resolve("gemm-tuning.json");
        assertEquals(GemmConfig.DEFAULT, GemmTuner.cachedOrDefault(d, f), "never tuned: the default");
        GemmConfig chosen = GemmConfig.registerBlock(6, 16, 2);
        GemmTuner.save(d, chosen, f);
        assertEquals(chosen, GemmTuner.cachedOrDefault(d, f));
        assertTrue(Files.readString(f).contains(d.driverVersion()), "keyed by driver version");
        Files.writeString(f, "{not json");
        assertEquals(GemmConfig.DEFAULT, GemmTuner.cachedOrDefault(d, f), "a damaged cache falls back to the default");
        GemmTuner.save(d, chosen, f);
        assertEquals(chosen, GemmTuner.cachedOrDefault(d, f), "and tuning again replaces it");
    }

    /** Entries written before tiles existed ({"rm", "vw", "nv"}, no kind) still read as register blocks. */
    @Test
    void oldCacheEntriesStillRead(@TempDir Path dir) throws IOException {
        ClDevice cpu = GemmConfigKindsTest.device("CPU", 4096, 1 << 20);
        Path f = dir.resolve("gemm-tuning.json");
        Files.writeString(f, "{\"" + GemmTuner.key(cpu) + "\": {\"rm\": 8, \"vw\": 16, \"nv\": 1}}\n");
        assertEquals(GemmConfig.registerBlock(8, 16, 1), GemmTuner.cachedOrDefault(cpu, f));
    }

    @Test
    void tiledChoicesRoundTripAndAreRecheckedAgainstTheDevice(@TempDir Path dir) throws IOException {
        ClDevice gpu = GemmConfigKindsTest.device("GPU", 1024, 48 << 10);
        ClDevice small = new ClDevice(1, null, null, gpu.platformName(), gpu.platformVersion(), gpu.name(), "GPU",
                gpu.deviceVersion(), gpu.driverVersion(), 8, 1L << 32, 1L << 30, 128, 48 << 10); // same key, 128 items
        Path f = dir.resolve("gemm-tuning.json");
        assertEquals(GemmConfig.GPU_DEFAULT, GemmTuner.cachedOrDefault(gpu, f), "a GPU never tuned gets tiles");
        GemmConfig chosen = GemmConfig.tiled(128, 128, 16, 8, 8);
        GemmTuner.save(gpu, chosen, f);
        assertEquals(chosen, GemmTuner.cachedOrDefault(gpu, f));
        assertTrue(Files.readString(f).contains("\"kind\": \"tiled\""), Files.readString(f));
        assertEquals(GemmConfig.defaultFor(small), GemmTuner.cachedOrDefault(small, f),
                "a cached tile the device cannot run (256 items, 128 allowed) falls back to its default");
        GemmTuner.save(gpu, GemmConfig.DEFAULT, f);
        assertEquals(GemmConfig.DEFAULT, GemmTuner.cachedOrDefault(gpu, f), "a GPU may be tuned to a register block");
    }

    @Test
    void tilesAreCandidatesOnGpusOrWhenAsked() {
        ClDevice cpu = GemmConfigKindsTest.device("CPU", 4096, 1 << 20);
        ClDevice gpu = GemmConfigKindsTest.device("GPU", 1024, 48 << 10);
        assertTrue(GemmTuner.candidates(cpu, false).stream().allMatch(c -> c instanceof GemmConfig.RegisterBlock));
        assertTrue(GemmTuner.candidates(cpu, true).containsAll(GemmTuner.TILED_CANDIDATES));
        assertTrue(GemmTuner.candidates(gpu, false).containsAll(GemmTuner.TILED_CANDIDATES));
        assertTrue(GemmTuner.candidates(gpu, false).contains(GemmConfig.DEFAULT), "register blocks stay in the race");
    }

    @Test
    void aTileTheDeviceCannotRunIsSkippedNotTimed() {
        // Checked before anything is built: the device's handles are never touched.
        GemmTuner.Timing t = GemmTuner.time(GemmConfigKindsTest.device("GPU", 64, 32 << 10), GemmConfig.GPU_DEFAULT);
        assertTrue(t.skipped() != null && t.skipped().contains("256 items exceeds"), String.valueOf(t));
        assertTrue(Double.isNaN(t.microseconds()));
    }

    @Test
    void timingIsMeasured() {
        ClDevice d;
        try (OpenClBackend b = TestDevices.openCl()) {
            d = b.device();
        }
        for (GemmConfig c : new GemmConfig[]{GemmConfig.DEFAULT, GemmConfig.GPU_DEFAULT}) {
            GemmTuner.Timing t = GemmTuner.time(d, c);
            assertEquals(null, t.skipped(), c.buildOptions());
            assertTrue(t.microseconds() > 0 && Double.isFinite(t.microseconds()), c.buildOptions() + ": " + t.microseconds());
            assertTrue(t.gflops() > 0 && Double.isFinite(t.gflops()), c.buildOptions() + ": " + t.gflops());
        }
    }
}
