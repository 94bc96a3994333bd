package io.clprop.backend.opencl;

import io.clprop.TestDevices;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * PoCL compiles kernels with LLVM, which installs its own SIGSEGV handler over the JVM's. The JVM raises
 * SIGSEGV on purpose (safepoint polls, implicit null checks), so from then on a JVM thread can hit LLVM's
 * handler and the process dies with "Segmentation fault" (exit 139, no hs_err file): the cause of a CI run
 * that crashed in the middle of the suite. HotSpot's signal chaining (LD_PRELOAD of the JDK's libjsig.so,
 * which bin/clprop, bin/sanitize and the test JVM use) keeps the JVM's handler in place and chains LLVM's
 * behind it.
 *
 * <p>Checked with HotSpot's own detector: under -Xcheck:jni the JVM reports "SIGSEGV handler modified!" when
 * its handler was replaced. A fresh JVM compiles one small kernel (a unique define and an empty PoCL cache,
 * so LLVM really runs): with libjsig nothing is reported; without it (the control) the replacement is seen,
 * which proves the check can fail.
 */
class SignalChainingTest {

    /** Run in the child JVM: builds data.cl once with a define no cache has seen, then waits for the check. */
    public static void main(String[] args) throws InterruptedException {
        ClDevice device = ClDevices.byIndex(0);
        ProgramCache.forDevice(device).program("data.cl", "-cl-std=CL1.2 -DCLPROP_SIGNAL_TEST=" + System.nanoTime());
        Thread.sleep(1500); // the JVM checks its signal handlers periodically
        System.out.println("built");
    }

    @Test
    void kernelCompilationLeavesTheJvmsSigsegvHandlerInPlace(@TempDir Path cache) throws Exception {
        TestDevices.openCl().close();
        String preload = System.getenv("LD_PRELOAD");
        assertTrue(preload != null && preload.contains("libjsig"), "the test JVM runs with libjsig: " + preload);
        String withJsig = child(cache.resolve("a"), preload);
        assertTrue(withJsig.contains("built"), withJsig);
        assertFalse(withJsig.contains("SIGSEGV handler modified"), withJsig);

        String without = child(cache.resolve("b"), null);
        assertTrue(without.contains("built"), without);
        assertTrue(without.contains("SIGSEGV handler modified"),
                "control: without libjsig, LLVM's handler replaces the JVM's: " + without);
    }

    private static String child(Path cache, String preload) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xcheck:jni", "-cp", System.getProperty("java.class.path"), SignalChainingTest.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("POCL_CACHE_DIR", cache.toString());
        if (preload == null) {
            pb.environment().remove("LD_PRELOAD");
        } else {
            pb.environment().put("LD_PRELOAD", preload);
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
