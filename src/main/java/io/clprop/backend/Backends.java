package io.clprop.backend;

import io.clprop.backend.cpu.CpuBackend;
import io.clprop.backend.opencl.ClDevices;
import io.clprop.backend.opencl.ClDevice;
import io.clprop.backend.opencl.GemmConfig;
import io.clprop.backend.opencl.GemmTuner;
import io.clprop.backend.opencl.OpenClBackend;
import io.clprop.util.UserError;

import java.util.Map;

import static io.clprop.util.Wording.setting;

/** Opens a backend from a device spec ({@code device} setting): {@code opencl}, {@code opencl:N} or {@code cpu}. */
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
        return openCl(spec, null, extraBuildOptions);
    }

    /**
     * As {@link #openCl(String, Map)} with the matrix-multiply kernels given by {@code gemm} (the {@code gemmConfig}
     * setting), or when it is null the device's tuned or default ones.
     */
    public static OpenClBackend openCl(String spec, GemmConfig gemm, Map<String, String> extraBuildOptions) {
        ClDevice d = clDevice(spec);
        return new OpenClBackend(d, gemm != null ? gemm : GemmTuner.cachedOrDefault(d), extraBuildOptions);
    }

    /** The OpenCL device named by {@code opencl} (the first) or {@code opencl:N}; a one-line error otherwise. */
    public static ClDevice clDevice(String spec) {
        String s = spec.trim();
        if (s.equals("opencl")) {
            return ClDevices.byIndex(0);
        }
        if (s.startsWith("opencl:")) {
            try {
                return ClDevices.byIndex(Integer.parseInt(s.substring("opencl:".length())));
            } catch (NumberFormatException e) {
                throw new UserError(setting("device") + " " + spec + ": expected opencl:N with N a device number from `clprop devices`");
            }
        }
        if (s.equals("cpu")) {
            throw new UserError(setting("device") + " cpu: this command needs an OpenCL device (it works on kernels); "
                    + "choose opencl or opencl:N");
        }
        throw new UserError(setting("device") + " " + spec + ": unknown device (expected opencl, opencl:N or cpu)");
    }
}
