package io.clprop.cli;

import io.clprop.TestDevices;
import io.clprop.data.IdxFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A machine whose OpenCL is missing a piece, simulated for a fresh JVM running clprop's Main (the loader is
 * loaded once per JVM, so this cannot happen in the test's own):
 * <ul>
 *   <li>no platform: OCL_ICD_VENDORS names an empty folder, so the ICD loader finds no driver;</li>
 *   <li>no loader: LD_LIBRARY_PATH puts an empty libOpenCL.so first, so the dlopen JOCL does (by that name)
 *       fails as it does when the file is absent — JOCL turns both into the same UnsatisfiedLinkError.</li>
 * </ul>
 * Each time clprop must name the missing piece and the Debian packages that provide it, exit 2 without a
 * stack trace, and still train with --device cpu.
 */
class OpenClEnvironmentTest {
    record Run(int status, String out, String err) {
    }

    @TempDir
    Path tmp;

    @Test
    void noPlatform() throws Exception {
        TestDevices.openCl().close(); // with a working OpenCL here, the only thing missing below is the driver
        Path vendors = Files.createDirectory(tmp.resolve("vendors"));
        Map<String, String> env = Map.of("OCL_ICD_VENDORS", vendors.toString());

        Run devices = clprop(env, "devices");
        assertMissing(devices, "no OpenCL platform found", vendors + " (from OCL_ICD_VENDORS)", "pocl-opencl-icd",
                "--device cpu");
        Run train = trainOn("opencl", env);
        assertMissing(train, "no OpenCL platform found", "pocl-opencl-icd");
        assertFalse(Files.exists(tmp.resolve("m.json")));
        assertCpuStillTrains(env);
    }

    @Test
    void noLoader() throws Exception {
        TestDevices.openCl().close();
        Path lib = Files.createDirectory(tmp.resolve("lib"));
        Files.write(lib.resolve("libOpenCL.so"), new byte[0]);
        String old = System.getenv("LD_LIBRARY_PATH");
        Map<String, String> env = Map.of("LD_LIBRARY_PATH", lib + (old == null ? "" : File.pathSeparator + old));

        Run devices = clprop(env, "devices");
        assertMissing(devices, "OpenCL loader libOpenCL.so could not be loaded", "ocl-icd-libopencl1 (the loader)",
                "ocl-icd-opencl-dev (the unversioned libOpenCL.so", "pocl-opencl-icd", "--device cpu");
        Run train = trainOn("opencl", env);
        assertMissing(train, "OpenCL loader libOpenCL.so could not be loaded", "ocl-icd-libopencl1");
        assertFalse(Files.exists(tmp.resolve("m.json")));
        assertCpuStillTrains(env);
    }

    private void assertMissing(Run r, String... fragments) {
        assertEquals(2, r.status(), r.err());
        // JOCL's native code may print dlopen's reason on stdout before clprop's line; clprop adds nothing else.
        List<String> ours = r.err().strip().lines().filter(l -> l.startsWith("clprop")).toList();
        assertEquals(1, ours.size(), "one line from clprop: " + r.err());
        for (String f : fragments) {
            assertTrue(ours.get(0).contains(f), () -> "message should contain \"" + f + "\": " + ours.get(0));
        }
        BadInput.assertNoStackTrace(r.err());
    }

    private void assertCpuStillTrains(Map<String, String> env) throws Exception {
        Run cpu = trainOn("cpu", env);
        assertEquals(0, cpu.status(), cpu.err());
        assertTrue(cpu.out().contains("test accuracy"), cpu.out());
        assertTrue(Files.exists(tmp.resolve("m.json")));
    }

    private Run trainOn(String device, Map<String, String> env) throws Exception {
        Path data = tmp.resolve("data");
        if (!Files.isDirectory(data)) {
            IdxFiles.writeMnistFolder(Files.createDirectory(data), false, 12, 5, 4, 3);
        }
        return clprop(env, "train", "--device", device, "--data", data.toString(), "--hidden", "5", "--batch", "4",
                "--epochs", "1", "--metrics-json", tmp.resolve("m.json").toString());
    }

    /** `java -cp <this test's classpath> io.clprop.cli.Main args…` with extra environment variables. */
    private Run clprop(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.clprop.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectOutput(tmp.resolve("stdout").toFile())
                .redirectError(tmp.resolve("stderr").toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("clprop " + String.join(" ", args) + " did not finish in 120 s");
        }
        return new Run(p.exitValue(), Files.readString(tmp.resolve("stdout"), StandardCharsets.UTF_8),
                Files.readString(tmp.resolve("stderr"), StandardCharsets.UTF_8));
    }
}
