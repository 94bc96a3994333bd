package io.clprop.backend.opencl;

import io.clprop.TestDevices;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.cl_platform_id;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.jocl.CL.CL_DEVICE_NOT_FOUND;
import static org.jocl.CL.CL_DEVICE_TYPE_ACCELERATOR;
import static org.jocl.CL.CL_DEVICE_TYPE_CPU;
import static org.jocl.CL.CL_DEVICE_TYPE_CUSTOM;
import static org.jocl.CL.CL_DEVICE_TYPE_DEFAULT;
import static org.jocl.CL.CL_DEVICE_TYPE_GPU;
import static org.jocl.CL.CL_INVALID_DEVICE_TYPE;
import static org.jocl.CL.CL_PLATFORM_NAME;
import static org.jocl.CL.clGetDeviceIDs;
import static org.jocl.CL.clGetPlatformIDs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The device query asks for every device type with the OpenCL headers' value of CL_DEVICE_TYPE_ALL, not
 * JOCL's: with JOCL's (all 64 bits set) Mesa's rusticl refused the query and its device was never found.
 */
class ClDevicesTest {

    @Test
    void deviceTypeAllIsTheHeadersValue() {
        assertEquals(0xFFFFFFFFL, ClDevices.DEVICE_TYPE_ALL, "CL/cl.h: #define CL_DEVICE_TYPE_ALL 0xFFFFFFFF");
        // Still every type there is, and not JOCL's constant, whose upper 32 bits strict drivers refuse.
        long every = CL_DEVICE_TYPE_DEFAULT | CL_DEVICE_TYPE_CPU | CL_DEVICE_TYPE_GPU | CL_DEVICE_TYPE_ACCELERATOR
                | CL_DEVICE_TYPE_CUSTOM;
        assertEquals(every, ClDevices.DEVICE_TYPE_ALL & every);
        assertEquals(-1L, CL.CL_DEVICE_TYPE_ALL, "JOCL's value, the reason for clprop's own constant");
    }

    /** Every platform answers clprop's query with its devices or "none", never with an error. */
    @Test
    void everyPlatformAcceptsTheQuery() {
        TestDevices.openCl().close();
        for (cl_platform_id p : platforms()) {
            int[] n = new int[1];
            try {
                clGetDeviceIDs(p, ClDevices.DEVICE_TYPE_ALL, 0, null, n);
            } catch (CLException e) {
                assertEquals(CL_DEVICE_NOT_FOUND, e.getStatus(), ClDevices.platformString(p, CL_PLATFORM_NAME)
                        + ": " + e.getMessage());
            }
        }
    }

    /**
     * On the second driver's pass (CLPROP_TEST_PLATFORM=rusticl): its device is found, and the driver does
     * refuse JOCL's constant, so this pass would fail with the old query.
     */
    @Test
    void rusticlIsFoundAndRefusesJoclsConstant() {
        String platform = TestDevices.requiredPlatform();
        assumeTrue("rusticl".equals(platform), "only on the rusticl pass (CLPROP_TEST_PLATFORM=rusticl)");
        List<ClDevice> found = ClDevices.all().stream().filter(d -> d.platformName().contains(platform)).toList();
        assertFalse(found.isEmpty(), "no rusticl device among " + ClDevices.all());
        CLException refused = assertThrows(CLException.class,
                () -> clGetDeviceIDs(found.get(0).platform(), CL.CL_DEVICE_TYPE_ALL, 0, null, new int[1]));
        assertEquals(CL_INVALID_DEVICE_TYPE, refused.getStatus(), refused.getMessage());
    }

    @Test
    void noDevicesSaysWhichPlatformRefusedTheQuery() {
        String plain = ClDevices.noDevices(List.of()).getMessage();
        assertTrue(plain.startsWith("OpenCL platforms found but no devices; install a driver"), plain);
        String refused = ClDevices.noDevices(List.of("rusticl: CL_INVALID_DEVICE_TYPE")).getMessage();
        assertTrue(refused.startsWith("OpenCL platforms found but no devices (the device query failed on "
                + "rusticl: CL_INVALID_DEVICE_TYPE); install a driver"), refused);
    }

    private static cl_platform_id[] platforms() {
        int[] count = new int[1];
        clGetPlatformIDs(0, null, count);
        cl_platform_id[] ps = new cl_platform_id[count[0]];
        clGetPlatformIDs(ps.length, ps, null);
        return ps;
    }
}
