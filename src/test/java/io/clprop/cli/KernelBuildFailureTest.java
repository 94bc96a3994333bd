package io.clprop.cli;

import io.clprop.TestDevices;
import io.clprop.backend.opencl.ClObjectCounts;
import io.clprop.backend.opencl.OpenClBackend;
import io.clprop.data.IdxFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A kernel file that does not compile (here: a --build-option whose define makes gemm.cl use the vector type
 * float5, which OpenCL C does not have). A user's bad build option is bad input: status 2; the message names
 * the kernel file and shows the compiler's log; no stack trace, nothing written, nothing left allocated.
 */
class KernelBuildFailureTest {
    @Test
    void buildLogIsShownWithTheKernelFile(@TempDir Path data, @TempDir Path out) {
        String platform;
        try (OpenClBackend b = TestDevices.openCl()) {
            platform = b.device().platformName();
        }
        IdxFiles.writeMnistFolder(data, false, 12, 5, 4, 3);
        long liveBefore = ClObjectCounts.live();

        CliTest.Result r = CliTest.run("train", "--device", "opencl", "--data", data.toString(), "--hidden", "5",
                "--batch", "4", "--epochs", "1", "--metrics-json", out.resolve("m.json").toString(),
                "--build-option", "gemm.cl=-DVW=5");

        assertEquals(2, r.status(), r.err());
        List<String> lines = r.err().strip().lines().toList();
        String first = lines.get(0);
        assertTrue(first.startsWith("clprop: error: kernels/gemm.cl failed to build on opencl:"), first);
        assertTrue(first.contains("-DVW=5"), "the options it was built with: " + first);
        assertTrue(first.contains("build log"), first);
        List<String> log = lines.subList(1, lines.size());
        assertTrue(!log.isEmpty() && log.stream().allMatch(l -> l.startsWith("    ")),
                "the driver's log, indented, after the first line: " + r.err());
        if (platform.contains("Portable Computing Language")) {
            // PoCL names positions in its temporary file; they must read as positions in gemm.cl.
            assertTrue(log.get(0).matches("\\s+error: gemm\\.cl:\\d+:\\d+ .*float5.*"), log.get(0));
        }
        BadInput.assertNoStackTrace(r.err());
        assertEquals("", r.out());
        BadInput.assertNothingIn(out);
        assertEquals(liveBefore, ClObjectCounts.live(), "the half-opened backend released its queue and kernels");
    }
}
