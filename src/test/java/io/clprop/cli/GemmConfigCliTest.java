package io.clprop.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.clprop.TestDevices;
import io.clprop.backend.opencl.DeviceLimits;
import io.clprop.backend.opencl.OpenClBackend;
import io.clprop.data.IdxFiles;
import io.clprop.backend.Activation;
import io.clprop.nn.LossKind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.clprop.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** --gemm-config on verify and bench: the kernels asked for are the ones built, and bad specs are one line. */
class GemmConfigCliTest {

    @Test
    void verifyChecksTheTiledKernelsAskedFor() {
        TestDevices.openCl().close(); // skip (or fail in CI) without OpenCL
        // 4×8 = 32 items per group: within every test device's limits (rusticl on llvmpipe allows 32).
        CliTest.Result r = run("verify", "--gemm-config", "TSM=16,TSN=16,TSK=8,WPTM=4,WPTN=2", "--cases", "40");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("options  gemm_tiled.cl: -cl-std=CL1.2 -DTSM=16 -DTSN=16 -DTSK=8 -DWPTM=4 -DWPTN=2\n"),
                r.out());
        // 40 kernel cases + one training step per hidden activation × loss pair, 2 more with dropout, 2 of a CNN.
        int steps = Activation.HIDDEN.size() * LossKind.values().length + 4;
        assertTrue(r.out().contains((40 + steps) + " passed, 0 failed"), r.out());
    }

    @Test
    void benchReportsWhichKernelsItMeasured(@TempDir Path data) throws IOException {
        TestDevices.openCl().close();
        // 200 samples: bench's start-up measurement trains one step at batch 128 whatever --batches says.
        IdxFiles.writeMnistFolder(data, false, 200, 4, 4, 3);
        Path json = data.resolve("bench.json");
        CliTest.Result r = run("bench", "--data", data.toString(), "--gemm-config", "TSM=32,TSN=32,WPTM=8", "--batches",
                "20", "--epochs", "1", "--no-gemm", "--no-profile", "--json", json.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("kernels  kernels/gemm_tiled.cl -DTSM=32 -DTSN=32 -DTSK=16 -DWPTM=8 -DWPTN=4\n"),
                r.out());
        assertTrue(r.out().contains("train    batch   20:"), r.out());
        JsonObject g = JsonParser.parseString(Files.readString(json)).getAsJsonObject().getAsJsonObject("gemm_config");
        assertEquals("tiled", g.get("kind").getAsString());
        assertEquals(16, g.get("tsk").getAsInt());
    }

    @Test
    void aBadSpecIsOneLine() {
        CliTest.Result r = run("bench", "--gemm-config", "TSM=16,WPTM=3");
        assertEquals(Main.EXIT_USAGE, r.status(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("--gemm-config") && r.err().contains("TSM must be a multiple of WPTM"), r.err());
        assertEquals("", r.out());
    }

    /** A tile beyond the device's limits is refused before anything is built, naming the rule and a tile that fits. */
    @Test
    void aTileTheDeviceCannotRunIsOneLineNamingOneThatFits() {
        long max;
        try (OpenClBackend b = TestDevices.openCl()) {
            max = DeviceLimits.of(b.device()).maxWorkGroupSize();
        }
        CliTest.Result r = run("verify", "--gemm-config", "TSM=128,TSN=128,WPTM=1,WPTN=1", "--cases", "1"); // 16384 items
        assertEquals(Main.EXIT_USAGE, r.status(), r.out() + r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("128×128 = 16384 items exceeds the device's maximum of " + max)
                && r.err().contains("a tile that fits: -DTSM="), r.err());
    }

    @Test
    void tiledBuildOptionsNeedTheTiledKernels() {
        TestDevices.openCl().close();
        CliTest.Result r = run("verify", "--gemm-config", "block", "--build-option", "gemm_tiled.cl=-DTSK=8");
        assertEquals(Main.EXIT_USAGE, r.status(), r.err());
        assertTrue(r.err().contains("gemm_tiled.cl is not built for these gemm kernels (gemm.cl -DRM=4 -DVW=16 -DNV=2)")
                && r.err().contains("--gemm-config tiled"), r.err());
    }

    @Test
    void itDoesNotApplyToTheCpuPath() {
        CliTest.Result r = run("bench", "--device", "cpu", "--gemm-config", "tiled");
        assertEquals(Main.EXIT_USAGE, r.status(), r.err());
        assertEquals("clprop: error: --gemm-config chooses OpenCL kernels; it does not apply to --device cpu",
                r.err().trim());
    }
}
