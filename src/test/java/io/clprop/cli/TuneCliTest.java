package io.clprop.cli;

import io.clprop.TestDevices;
import io.clprop.backend.opencl.DeviceLimits;
import io.clprop.backend.opencl.GemmConfig;
import io.clprop.backend.opencl.GemmTuner;
import io.clprop.backend.opencl.OpenClBackend;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.clprop.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `clprop tune --list`: the space's rules, every family's counts and the candidates tune would time, all
 * within the device's limits, with tiles among them; nothing is timed or saved. (A whole tuning run is
 * GemmTunerTest's, with its cache in a temporary folder rather than the user's.)
 */
class TuneCliTest {
    private static final Pattern SPACE = Pattern.compile(
            "space   ([a-z-]+): (\\d+) configurations, (\\d+) within the device's limits, (\\d+) after pruning, (\\d+) to time");

    @Test
    void listShowsTheSpaceAndTimesNothing() throws IOException {
        DeviceLimits limits;
        try (OpenClBackend b = TestDevices.openCl()) {
            limits = DeviceLimits.of(b.device());
        }
        Path cache = GemmTuner.cacheFile();
        Optional<String> before = Files.isRegularFile(cache) ? Optional.of(Files.readString(cache)) : Optional.empty();
        CliTest.Result r = run("tune", "--list", "--budget", "3", "--seed", "5");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("rule  device: (TSN/WPTN)·(TSM/WPTM) ≤ the work-group maximum"), r.out());
        assertTrue(r.out().contains("limits  work-group ≤ " + limits.maxWorkGroupSize() + " items"), r.out());
        int toTime = 0;
        List<String> families = new java.util.ArrayList<>();
        Matcher m = SPACE.matcher(r.out());
        while (m.find()) {
            families.add(m.group(1));
            int timed = Integer.parseInt(m.group(5));
            assertTrue(timed >= 1 && timed <= Integer.parseInt(m.group(4)), m.group());
            toTime += timed;
        }
        assertEquals(List.of("register-block", "tiled"), families, r.out());
        List<String> candidates = r.out().lines().filter(l -> l.startsWith("  -D")).toList();
        assertEquals(toTime, candidates.size(), r.out());
        boolean tiles = false;
        for (String c : candidates) {
            GemmConfig config = GemmConfig.parse(c.trim());
            assertEquals(Optional.empty(), config.unfitFor(limits), c);
            tiles |= config instanceof GemmConfig.Tiled;
        }
        assertTrue(tiles, "tiles are candidates on every device (no flag needed): " + r.out());
        Optional<String> after = Files.isRegularFile(cache) ? Optional.of(Files.readString(cache)) : Optional.empty();
        assertEquals(before, after, "--list saves nothing");
        assertEquals(r.out(), run("tune", "--list", "--budget", "3", "--seed", "5", "--tiled").out(),
                "--tiled, once needed off GPUs, is still accepted and changes nothing");
    }

    @Test
    void aNegativeBudgetIsOneLine() {
        CliTest.Result r = run("tune", "--budget", "-1");
        assertEquals(Main.EXIT_USAGE, r.status(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("--budget -1"), r.err());
    }
}
