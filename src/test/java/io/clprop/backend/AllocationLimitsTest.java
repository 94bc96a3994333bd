package io.clprop.backend;

import io.clprop.TestDevices;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.util.UserError;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each backend refuses a tensor it cannot hold with a one-line error and its true size, whoever asks for it
 * (a trainer's plan and a network check first; this is what is left for any other caller), and the CPU
 * path turns a full heap into the same kind of error instead of an OutOfMemoryError.
 */
class AllocationLimitsTest {
    private static Backend open(String device) {
        return device.equals("cpu") ? new CpuBackend() : TestDevices.openCl();
    }

    /** rows × cols = 2.5·10^9 wraps an int (to a negative length); the size in the message must not. */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl"})
    void aTensorPastTheElementLimitIsRefusedWithItsSize(String device) {
        try (Backend b = open(device)) {
            int buffers = b.liveBuffers();
            UserError e = assertThrows(UserError.class, () -> b.allocate(50000, 50000));
            assertTrue(e.getMessage().startsWith("too large: a 50000×50000 tensor would need one buffer of "
                    + 2_500_000_000L + " floats (9.3 GiB); "), e.getMessage());
            assertEquals(buffers, b.liveBuffers());
        }
    }

    @Test
    void theElementLimitsAreExact() {
        MemoryLimits.Kind heap = MemoryLimits.Kind.JAVA_HEAP, device = MemoryLimits.Kind.DEVICE;
        // HotSpot's largest array: Integer.MAX_VALUE − 8 (longer ones fail whatever the heap).
        assertDoesNotThrow(() -> heap.checkElements("x", Integer.MAX_VALUE - 8, false));
        UserError e = assertThrows(UserError.class, () -> heap.checkElements("the x", Integer.MAX_VALUE - 7, true));
        assertEquals("too large: the x need one buffer of 2147483640 ints (8.0 GiB); the CPU path's arrays hold at "
                + "most 2147483639", e.getMessage());
        // 32-bit tensor offsets and sizes: Integer.MAX_VALUE elements are still addressable.
        assertDoesNotThrow(() -> device.checkElements("x", Integer.MAX_VALUE, false));
        assertThrows(UserError.class, () -> device.checkElements("x", Integer.MAX_VALUE + 1L, false));
    }

    @Test
    void theCpuPathDescribesTheJavaHeap() {
        MemoryLimits l = new CpuBackend().memoryLimits().orElseThrow();
        assertEquals(MemoryLimits.Kind.JAVA_HEAP, l.kind());
        assertEquals(Runtime.getRuntime().maxMemory(), l.globalBytes());
        assertEquals(8, l.kind().floatBytes, "float tensors are double[] on the CPU path");
    }

    /**
     * An array the heap cannot hold, although it is below the element limit: a UserError with the size, not
     * an OutOfMemoryError. Needs a heap below the 17.2 GB asked for (surefire's default is a quarter of RAM).
     */
    @Test
    void aFullHeapIsAUserErrorNotAnOutOfMemoryError() {
        long elements = Integer.MAX_VALUE - 8;
        Assumptions.assumeTrue(8 * elements > Runtime.getRuntime().maxMemory(), "the heap could hold it");
        try (CpuBackend cpu = new CpuBackend()) {
            UserError e = assertThrows(UserError.class, () -> cpu.allocate(1, (int) elements));
            assertTrue(e.getMessage().startsWith("not enough memory: the CPU path could not allocate 1×2147483639 "
                    + "floats (16.0 GiB as doubles); the JVM's heap holds at most "), e.getMessage());
            assertTrue(e.getCause() instanceof OutOfMemoryError, "keeps the cause for --debug");
            assertEquals(0, cpu.liveBuffers());
            assertDoesNotThrow(() -> cpu.free(cpu.allocate(1000, 1000)), "the heap is usable afterwards");
        }
    }
}
