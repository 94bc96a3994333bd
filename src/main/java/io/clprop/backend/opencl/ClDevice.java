package io.clprop.backend.opencl;

import org.jocl.cl_device_id;
import org.jocl.cl_platform_id;

/** One OpenCL device as found on this machine, with what `clprop devices` and failure reports show. */
public record ClDevice(int index, cl_platform_id platform, cl_device_id device,
                       String platformName, String platformVersion,
                       String name, String type, String deviceVersion, String driverVersion,
                       int computeUnits, long globalMemBytes, long maxAllocBytes, long maxWorkGroupSize,
                       long localMemBytes) {

    /** CL_DEVICE_TYPE_GPU: such devices default to the tiled gemm kernels (see {@link GemmConfig#defaultFor}). */
    public boolean isGpu() {
        return "GPU".equals(type);
    }

    public String summary() {
        return "opencl:" + index + " " + name + " (" + platformName + ", " + deviceVersion + ", driver "
                + driverVersion + ")";
    }
}
