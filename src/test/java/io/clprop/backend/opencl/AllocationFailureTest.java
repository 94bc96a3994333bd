package io.clprop.backend.opencl;

import io.clprop.TestDevices;
import io.clprop.util.UserError;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A buffer the device refuses is a one-line error with the sizes, and the backend stays usable. */
class AllocationFailureTest {
    @Test
    void bufferAboveTheDevicesLargestAllocation() {
        try (OpenClBackend b = TestDevices.openCl()) {
            long max = b.device().maxAllocBytes();
            // A tensor holds at most 2^31 − 1 floats (8 GiB): the device must allow less than that in one buffer.
            Assumptions.assumeTrue(max / 4 < Integer.MAX_VALUE - 1024, "device allows " + max + " bytes per buffer");
            int floats = (int) (max / 4) + 1024;
            long liveBefore = ClObjectCounts.live(ClObjectCounts.Kind.MEM);

            UserError e = assertThrows(UserError.class, () -> b.allocate(1, floats));

            String msg = e.getMessage();
            assertTrue(msg.startsWith("not enough device memory: " + b.device().summary() + " refused a buffer of "), msg);
            assertTrue(msg.contains("(" + 4L * floats + " bytes)"), msg);
            assertTrue(msg.contains("CL_"), "the driver's status: " + msg);
            assertEquals(1, msg.lines().count(), msg);
            assertEquals(liveBefore, ClObjectCounts.live(ClObjectCounts.Kind.MEM));
            assertEquals(0, b.liveBuffers());
            b.free(b.allocate(3, 3)); // still usable
        }
    }
}
