package io.clprop.backend;

import io.clprop.backend.cpu.CpuBackend;
import io.clprop.backend.opencl.ClDevices;
import io.clprop.backend.opencl.ClDevice;
import io.clprop.backend.opencl.GemmTuner;
import io.clprop.backend.opencl.OpenClBackend;
import io.clprop.util.UserError;

import java.util.Map;

/** Opens a backend from the command line's {@code --device} value: {@code opencl}, {@code opencl:N} or {@code cpu}. */
public final class Backends {
    private Backends() {
    }

    public static Backend open(String spec) {
        String s = spec.trim();
        if (s.equals("cpu")) {
            return new CpuBackend();
        }
        return openCl(spec, Map.of());
    }

    /** An OpenCL device from {@code opencl} or {@code opencl:N}, with extra build options per kernel file. */
    public static OpenClBackend openCl(String spec, Map<String, String> extraBuildOptions) {
        String s = spec.trim();
        if (s.equals("opencl")) {
            ClDevice d = ClDevices.byIndex(0);
            return new OpenClBackend(d, GemmTuner.cachedOrDefault(d), extraBuildOptions);
        }
        if (s.startsWith("opencl:")) {
            String n = s.substring("opencl:".length());
            int index;
            try {
                index = Integer.parseInt(n);
            } catch (NumberFormatException e) {
                throw new UserError("--device " + spec + ": expected opencl:N with N a device number from `clprop devices`");
            }
            ClDevice d = ClDevices.byIndex(index);
            return new OpenClBackend(d, GemmTuner.cachedOrDefault(d), extraBuildOptions);
        }
        if (s.equals("cpu")) {
            throw new UserError("--device cpu: this command compares an OpenCL device with the CPU path; "
                    + "choose opencl or opencl:N");
        }
        throw new UserError("--device " + spec + ": unknown device (expected opencl, opencl:N or cpu)");
    }
}
