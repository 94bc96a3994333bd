package io.clprop.backend.opencl;

import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;

import java.util.HashMap;
import java.util.Map;

import static org.jocl.CL.*;

/**
 * What a device allows the matrix-multiply kernels, as the gemm search space's rules ({@link GemmSpace}) read
 * it: work-group size, work-items per dimension, local memory, float vector widths.
 *
 * <p>{@code kernelMaxWorkGroupSize} is CL_KERNEL_WORK_GROUP_SIZE of gemm.cl's transpose, a kernel that uses
 * no local memory and few registers: an upper bound for any kernel, and on some drivers far below the
 * device's own figure. Mesa's rusticl on llvmpipe reports CL_DEVICE_MAX_WORK_GROUP_SIZE 1024 yet 32 for
 * every kernel, and refuses larger groups at launch; judged by the device's figure alone, every tile with
 * more than 32 items would be built only to be refused.
 *
 * @param gpu                    CL_DEVICE_TYPE_GPU (the default gemm kernels differ, see {@link GemmConfig#defaultFor})
 * @param deviceMaxWorkGroupSize CL_DEVICE_MAX_WORK_GROUP_SIZE
 * @param kernelMaxWorkGroupSize CL_KERNEL_WORK_GROUP_SIZE of a kernel that uses almost nothing
 * @param maxItems0              CL_DEVICE_MAX_WORK_ITEM_SIZES[0] (the tiled kernels' columns of C)
 * @param maxItems1              CL_DEVICE_MAX_WORK_ITEM_SIZES[1] (rows of C)
 * @param localMemBytes          CL_DEVICE_LOCAL_MEM_SIZE
 * @param preferredFloatWidth    CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT
 * @param nativeFloatWidth       CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT
 */
public record DeviceLimits(boolean gpu, long deviceMaxWorkGroupSize, long kernelMaxWorkGroupSize, long maxItems0,
                           long maxItems1, long localMemBytes, int preferredFloatWidth, int nativeFloatWidth) {

    private static final Map<Integer, DeviceLimits> PER_DEVICE = new HashMap<>();

    /** The most work-items a group of the gemm kernels may have: the smaller of the two maxima. */
    public long maxWorkGroupSize() {
        return Math.min(deviceMaxWorkGroupSize, kernelMaxWorkGroupSize);
    }

    /**
     * A device's limits, queried once per JVM (the kernel's figure needs gemm.cl built, which every backend
     * on the device builds anyway: {@link ProgramCache} shares it).
     */
    public static synchronized DeviceLimits of(ClDevice device) {
        DeviceLimits known = PER_DEVICE.get(device.index());
        if (known == null) {
            known = query(device);
            PER_DEVICE.put(device.index(), known);
        }
        return known;
    }

    private static DeviceLimits query(ClDevice device) {
        cl_device_id d = device.device();
        long[] items = new long[3];
        clGetDeviceInfo(d, CL_DEVICE_MAX_WORK_ITEM_SIZES, 3L * Sizeof.size_t, Pointer.to(items), null);
        return new DeviceLimits(device.isGpu(), device.maxWorkGroupSize(), probeKernelMaxWorkGroupSize(device),
                items[0], items[1], device.localMemBytes(), preferredFloatWidth(device),
                uint(d, CL_DEVICE_NATIVE_VECTOR_WIDTH_FLOAT));
    }

    /** CL_KERNEL_WORK_GROUP_SIZE of transpose, from the same gemm.cl program a backend builds. */
    private static long probeKernelMaxWorkGroupSize(ClDevice device) {
        var program = ProgramCache.forDevice(device).program("gemm.cl", OpenClBackend.PLAIN_OPTIONS + " "
                + GemmConfig.DEFAULT.buildOptions());
        cl_kernel k = clCreateKernel(program, "transpose", null);
        ClObjectCounts.created(ClObjectCounts.Kind.KERNEL);
        try {
            long[] max = new long[1];
            clGetKernelWorkGroupInfo(k, device.device(), CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t, Pointer.to(max), null);
            return max[0];
        } finally {
            clReleaseKernel(k);
            ClObjectCounts.released(ClObjectCounts.Kind.KERNEL);
        }
    }

    /** CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT alone: one query, without the kernel probe of {@link #of}. */
    static int preferredFloatWidth(ClDevice device) {
        return uint(device.device(), CL_DEVICE_PREFERRED_VECTOR_WIDTH_FLOAT);
    }

    private static int uint(cl_device_id d, int param) {
        int[] v = new int[1];
        clGetDeviceInfo(d, param, Sizeof.cl_uint, Pointer.to(v), null);
        return v[0];
    }

    /** One line for `clprop tune`: the figures the rules use. */
    public String summary() {
        String group = kernelMaxWorkGroupSize < deviceMaxWorkGroupSize
                ? " (the device says " + deviceMaxWorkGroupSize + ", its kernels get " + kernelMaxWorkGroupSize + ")"
                : "";
        return "work-group ≤ " + maxWorkGroupSize() + " items" + group + ", " + maxItems0 + "×" + maxItems1 + " per dimension, local memory "
                + localMemBytes + " bytes, float vectors preferred " + preferredFloatWidth + " native "
                + nativeFloatWidth;
    }
}
