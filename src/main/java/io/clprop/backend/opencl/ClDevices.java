package io.clprop.backend.opencl;

import io.clprop.util.UserError;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

import java.util.ArrayList;
import java.util.List;

import static org.jocl.CL.*;

/**
 * Finds the OpenCL platforms and devices. Devices are numbered across all platforms in the order the ICD
 * loader reports them; {@code --device opencl:N} uses that number.
 */
public final class ClDevices {
    /** What to install when OpenCL is missing, for the one-line error. */
    public static final String INSTALL_HINT =
            "apt-get install -y ocl-icd-libopencl1 ocl-icd-opencl-dev pocl-opencl-icd";

    private static List<ClDevice> cached;

    private ClDevices() {
    }

    /** All devices; a UserError naming the missing piece if there is no loader or no platform. */
    public static synchronized List<ClDevice> all() {
        if (cached == null) {
            cached = List.copyOf(discover());
        }
        return cached;
    }

    public static ClDevice byIndex(int index) {
        List<ClDevice> devices = all();
        if (index < 0 || index >= devices.size()) {
            throw new UserError("--device opencl:" + index + ": no such OpenCL device (this machine has "
                    + devices.size() + "; see `clprop devices`)");
        }
        return devices.get(index);
    }

    private static List<ClDevice> discover() {
        try {
            CL.setExceptionsEnabled(true);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new UserError("OpenCL loader libOpenCL.so not found (JOCL could not load it: " + oneLine(e)
                    + "); install it with: " + INSTALL_HINT);
        }
        int[] count = new int[1];
        try {
            clGetPlatformIDs(0, null, count);
        } catch (CLException e) {
            throw new UserError("no OpenCL platform found (" + e.getMessage()
                    + "); install a driver, e.g. the CPU driver: " + INSTALL_HINT);
        } catch (UnsatisfiedLinkError e) {
            throw new UserError("OpenCL loader libOpenCL.so not found (" + oneLine(e) + "); install it with: "
                    + INSTALL_HINT);
        }
        if (count[0] == 0) {
            throw new UserError("no OpenCL platform found; install a driver, e.g. the CPU driver: " + INSTALL_HINT);
        }
        cl_platform_id[] platforms = new cl_platform_id[count[0]];
        clGetPlatformIDs(platforms.length, platforms, null);
        List<ClDevice> out = new ArrayList<>();
        for (cl_platform_id p : platforms) {
            int[] n = new int[1];
            try {
                clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, null, n);
            } catch (CLException e) {
                continue; // CL_DEVICE_NOT_FOUND: a platform without devices
            }
            cl_device_id[] ids = new cl_device_id[n[0]];
            clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, ids.length, ids, null);
            for (cl_device_id d : ids) {
                out.add(new ClDevice(out.size(), p, d,
                        platformString(p, CL_PLATFORM_NAME), platformString(p, CL_PLATFORM_VERSION),
                        deviceString(d, CL_DEVICE_NAME), typeName(deviceLong(d, CL_DEVICE_TYPE)),
                        deviceString(d, CL_DEVICE_VERSION), deviceString(d, CL_DRIVER_VERSION),
                        (int) deviceInt(d, CL_DEVICE_MAX_COMPUTE_UNITS),
                        deviceLong(d, CL_DEVICE_GLOBAL_MEM_SIZE), deviceLong(d, CL_DEVICE_MAX_MEM_ALLOC_SIZE),
                        deviceSizeT(d, CL_DEVICE_MAX_WORK_GROUP_SIZE)));
            }
        }
        if (out.isEmpty()) {
            throw new UserError("OpenCL platforms found but no devices; install a driver, e.g. " + INSTALL_HINT);
        }
        return out;
    }

    private static String oneLine(Throwable e) {
        String m = String.valueOf(e.getMessage());
        return m.replaceAll("\\s+", " ").trim();
    }

    private static String typeName(long type) {
        if ((type & CL_DEVICE_TYPE_GPU) != 0) return "GPU";
        if ((type & CL_DEVICE_TYPE_CPU) != 0) return "CPU";
        if ((type & CL_DEVICE_TYPE_ACCELERATOR) != 0) return "ACCELERATOR";
        return "OTHER";
    }

    static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        clGetPlatformInfo(p, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetPlatformInfo(p, param, buf.length, Pointer.to(buf), null);
        return cString(buf);
    }

    static String deviceString(cl_device_id d, int param) {
        long[] size = new long[1];
        clGetDeviceInfo(d, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetDeviceInfo(d, param, buf.length, Pointer.to(buf), null);
        return cString(buf);
    }

    private static long deviceInt(cl_device_id d, int param) {
        int[] v = new int[1];
        clGetDeviceInfo(d, param, Sizeof.cl_uint, Pointer.to(v), null);
        return v[0] & 0xffffffffL;
    }

    private static long deviceLong(cl_device_id d, int param) {
        long[] v = new long[1];
        clGetDeviceInfo(d, param, Sizeof.cl_ulong, Pointer.to(v), null);
        return v[0];
    }

    private static long deviceSizeT(cl_device_id d, int param) {
        long[] v = new long[1];
        clGetDeviceInfo(d, param, Sizeof.size_t, Pointer.to(v), null);
        return v[0];
    }

    private static String cString(byte[] buf) {
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8).trim();
    }
}
