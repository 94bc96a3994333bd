package io.clprop.backend.opencl;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A tuning cache that is not what clprop wrote (damaged, edited by hand, built to break the reader) reads as
 * no cache: the device's default, as for a cache that is not JSON at all; tuning again replaces it. Nothing
 * escapes: no StackOverflowError from deep nesting, no expansion of a huge number.
 */
class DamagedTuningCacheTest {
    static final ClDevice CPU = GemmConfigKindsTest.device("CPU", 4096, 1 << 20);
    static final DeviceLimits CPU_LIMITS = GemmConfigKindsTest.limits("CPU", 4096, 1 << 20);

    static String cache(String entry) {
        return "{\"" + GemmTuner.key(CPU) + "\": " + entry + "}\n";
    }

    static String damaged(String kind) {
        String deep = "[".repeat(100_000) + "8" + "]".repeat(100_000);
        return switch (kind) {
            case "deep entry" -> cache("{\"rm\": " + deep + ", \"vw\": 16, \"nv\": 1}");
            case "deep elsewhere" -> "{\"other\": " + deep + ", \"" + GemmTuner.key(CPU) + "\": {\"rm\": 8, \"vw\": 16, \"nv\": 1}}";
            case "huge exponent" -> cache("{\"rm\": 1e999999999, \"vw\": 16, \"nv\": 1}");
            case "long number" -> cache("{\"rm\": 8" + "0".repeat(10_000_000) + ", \"vw\": 16, \"nv\": 1}");
            case "wraps as an int" -> cache("{\"rm\": 4294967304, \"vw\": 16, \"nv\": 1}"); // getAsInt() gives 8
            case "a string" -> cache("{\"rm\": \"8\", \"vw\": 16, \"nv\": 1}");
            case "an array" -> cache("{\"rm\": [8], \"vw\": 16, \"nv\": 1}");
            case "kind not a string" -> cache("{\"kind\": 5, \"rm\": 8, \"vw\": 16, \"nv\": 1}");
            case "entry not an object" -> cache("[8, 16, 1]");
            case "duplicate" -> cache("{\"rm\": 8, \"vw\": 16, \"nv\": 1}").replace("}\n", ", \"" + GemmTuner.key(CPU)
                    + "\": {\"rm\": 8, \"vw\": 16, \"nv\": 1}}");
            case "lenient" -> cache("{rm: 8, vw: 16, nv: 1, /* hand-edited */}");
            case "too large" -> cache("{\"rm\": 8, \"vw\": 16, \"nv\": 1, \"note\": \"" + "x".repeat(2 << 20) + "\"}");
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"deep entry", "deep elsewhere", "huge exponent", "long number", "wraps as an int", "a string",
            "an array", "kind not a string", "entry not an object", "duplicate", "lenient", "too large"})
    void aDamagedCacheReadsAsNoneAndTuningReplacesIt(String kind, @TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("gemm-tuning.json"), damaged(kind));
        assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
                assertEquals(GemmConfig.DEFAULT, GemmTuner.cachedOrDefault(CPU, CPU_LIMITS, f), "the default, as with no cache"));
        GemmConfig chosen = GemmConfig.registerBlock(4, 8, 4);
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> GemmTuner.save(CPU, chosen, f));
        assertEquals(chosen, GemmTuner.cachedOrDefault(CPU, CPU_LIMITS, f), "tuning again replaced it");
        assertTrue(Files.size(f) < 1000, "the damage is gone: " + Files.size(f) + " bytes");
    }
}
