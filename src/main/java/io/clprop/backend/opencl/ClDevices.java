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

import static io.clprop.util.Wording.setting;

/**
 * Finds the OpenCL platforms and devices. Devices are numbered across all platforms in the order the ICD
 * loader reports them; the device spec {@code opencl:N} uses that number.
 */
public final class ClDevices {
    /** Debian's OpenCL loader (libOpenCL.so.1, which finds the drivers listed in /etc/OpenCL/vendors). */
    public static final String LOADER_PACKAGE = "ocl-icd-libopencl1";
    /** The unversioned libOpenCL.so symlink: JOCL opens that name, not libOpenCL.so.1. */
    public static final String LOADER_DEV_PACKAGE = "ocl-icd-opencl-dev";
    /** A driver that runs OpenCL on the CPU, for machines without a GPU driver. */
    public static final String CPU_DRIVER_PACKAGE = "pocl-opencl-icd";
    /** Everything OpenCL needs on a fresh Debian machine. */
    public static final String INSTALL_HINT =
            "apt-get install -y " + LOADER_PACKAGE + " " + LOADER_DEV_PACKAGE + " " + CPU_DRIVER_PACKAGE;
    private static final String CPU_PATH_HINT = setting("device") + " cpu runs on the pure-Java path without OpenCL";

    /**
     * CL_DEVICE_TYPE_ALL as the OpenCL headers define it (CL/cl.h: 0xFFFFFFFF). JOCL's
     * {@code CL.CL_DEVICE_TYPE_ALL} is -1L, all 64 bits of the cl_device_type bit field set; strict drivers
     * (Mesa's rusticl) refuse the bits no device type defines with CL_INVALID_DEVICE_TYPE, so with JOCL's
     * value such a platform looked empty.
     */
    static final long DEVICE_TYPE_ALL = 0xFFFFFFFFL;

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
            throw new UserError(setting("device") + " opencl:" + index + ": no such OpenCL device (this machine has "
                    + devices.size() + "; see `clprop devices`)");
        }
        return devices.get(index);
    }

    private static List<ClDevice> discover() {
        try {
            CL.setExceptionsEnabled(true);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            // The first use fails with UnsatisfiedLinkError; later ones with NoClassDefFoundError (CL's
            // static initialiser already failed).
            throw loaderMissing(e);
        }
        int[] count = new int[1];
        try {
            clGetPlatformIDs(0, null, count);
        } catch (CLException e) {
            throw noPlatform(e.getMessage(), System.getenv("OCL_ICD_VENDORS"));
        } catch (UnsatisfiedLinkError e) {
            throw loaderMissing(e);
        }
        if (count[0] == 0) {
            throw noPlatform("0 platforms", System.getenv("OCL_ICD_VENDORS"));
        }
        cl_platform_id[] platforms = new cl_platform_id[count[0]];
        clGetPlatformIDs(platforms.length, platforms, null);
        List<ClDevice> out = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        for (cl_platform_id p : platforms) {
            int[] n = new int[1];
            try {
                clGetDeviceIDs(p, DEVICE_TYPE_ALL, 0, null, n);
            } catch (CLException e) {
                // CL_DEVICE_NOT_FOUND is a platform without devices (Mesa's drivers on a machine without
                // their hardware). Anything else is the driver refusing the query: kept, so that a machine
                // where every platform refuses it is told why rather than "no devices".
                if (e.getStatus() != CL_DEVICE_NOT_FOUND) {
                    refused.add(platformString(p, CL_PLATFORM_NAME) + ": " + CL.stringFor_errorCode(e.getStatus()));
                }
                continue;
            }
            cl_device_id[] ids = new cl_device_id[n[0]];
            clGetDeviceIDs(p, DEVICE_TYPE_ALL, ids.length, ids, null);
            for (cl_device_id d : ids) {
                out.add(new ClDevice(out.size(), p, d,
                        platformString(p, CL_PLATFORM_NAME), platformString(p, CL_PLATFORM_VERSION),
                        deviceString(d, CL_DEVICE_NAME), typeName(deviceLong(d, CL_DEVICE_TYPE)),
                        deviceString(d, CL_DEVICE_VERSION), deviceString(d, CL_DRIVER_VERSION),
                        (int) deviceInt(d, CL_DEVICE_MAX_COMPUTE_UNITS),
                        deviceLong(d, CL_DEVICE_GLOBAL_MEM_SIZE), deviceLong(d, CL_DEVICE_MAX_MEM_ALLOC_SIZE),
                        deviceSizeT(d, CL_DEVICE_MAX_WORK_GROUP_SIZE), deviceLong(d, CL_DEVICE_LOCAL_MEM_SIZE)));
            }
        }
        if (out.isEmpty()) {
            throw noDevices(refused);
        }
        return out;
    }

    /** Platforms but no device; {@code refused}: "platform: error" for each that refused the device query. */
    static UserError noDevices(List<String> refused) {
        String why = refused.isEmpty() ? ""
                : " (the device query failed on " + String.join("; ", refused) + ")";
        return new UserError("OpenCL platforms found but no devices" + why + "; install a driver, e.g. the CPU "
                + "driver " + CPU_DRIVER_PACKAGE + " (apt-get install -y " + CPU_DRIVER_PACKAGE + "); " + CPU_PATH_HINT);
    }

    /** JOCL could not open libOpenCL.so: the loader (or its unversioned name) is missing or broken. */
    static UserError loaderMissing(Throwable e) {
        return new UserError("OpenCL loader libOpenCL.so could not be loaded (" + oneLine(e) + "); it comes from "
                + LOADER_PACKAGE + " (the loader) and " + LOADER_DEV_PACKAGE + " (the unversioned libOpenCL.so that "
                + "JOCL opens), and a device needs a driver such as " + CPU_DRIVER_PACKAGE + " (CPU): "
                + INSTALL_HINT + "; " + CPU_PATH_HINT, e);
    }

    /**
     * The loader works but lists no platform: no driver (ICD) is registered where the loader looks, which
     * is /etc/OpenCL/vendors unless OCL_ICD_VENDORS names another folder.
     */
    static UserError noPlatform(String detail, String vendorsOverride) {
        String where = vendorsOverride == null || vendorsOverride.isEmpty() ? "/etc/OpenCL/vendors"
                : vendorsOverride + " (from OCL_ICD_VENDORS)";
        return new UserError("no OpenCL platform found (" + detail + "): the loader found no driver registered in "
                + where + "; install one, e.g. the CPU driver " + CPU_DRIVER_PACKAGE + " (apt-get install -y "
                + CPU_DRIVER_PACKAGE + ") or your GPU vendor's OpenCL driver; " + CPU_PATH_HINT);
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
