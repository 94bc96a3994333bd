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

    @Test
    void timingIsMeasured() {
        ClDevice d;
        try (OpenClBackend b = TestDevices.openCl()) {
            d = b.device();
        }
        GemmTuner.Timing t = GemmTuner.time(d, GemmConfig.DEFAULT);
        assertTrue(t.microseconds() > 0 && Double.isFinite(t.microseconds()), "time " + t.microseconds());
    }
}
