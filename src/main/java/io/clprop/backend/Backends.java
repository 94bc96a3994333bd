package io.clprop.backend;

import io.clprop.backend.cpu.CpuBackend;
import io.clprop.backend.opencl.ClDevices;
import io.clprop.backend.opencl.ClDevice;
import io.clprop.backend.opencl.GemmConfig;
import io.clprop.backend.opencl.GemmTuner;
import io.clprop.backend.opencl.OpenClBackend;
import io.clprop.util.UserError;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.clprop.util.Wording.setting;

/**
 * Opens a backend from a device spec ({@code device} setting): {@code opencl}, {@code opencl:N} or {@code cpu};
 * or several for data-parallel training: {@code opencl:N,M,…} or {@code opencl:all}.
 */
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
        return openCl(clDevice(spec), gemm, extraBuildOptions);
    }

    /** {@link #openCl(String, GemmConfig, Map)} on a device already found. */
    public static OpenClBackend openCl(ClDevice d, GemmConfig gemm, Map<String, String> extraBuildOptions) {
        return new OpenClBackend(d, gemm != null ? gemm : GemmTuner.cachedOrDefault(d), extraBuildOptions);
    }

    /** True for a spec that names several devices ({@code opencl:N,M,…}, {@code opencl:all}). */
    public static boolean namesSeveral(String spec) {
        String s = spec.trim();
        return s.equals("opencl:all") || s.startsWith("opencl:") && s.contains(",");
    }

    /**
     * The OpenCL devices a spec names, in its order: one for {@code opencl} or {@code opencl:N}, each of
     * {@code opencl:N,M,…} (no device twice), every device for {@code opencl:all}.
     */
    public static List<ClDevice> clDevices(String spec) {
        String s = spec.trim();
        if (s.equals("opencl:all")) {
            return ClDevices.all();
        }
        if (!namesSeveral(s)) {
            return List.of(clDevice(s));
        }
        Set<Integer> seen = new LinkedHashSet<>();
        List<ClDevice> out = new ArrayList<>();
        for (String part : s.substring("opencl:".length()).split(",", -1)) {
            int n;
            try {
                n = Integer.parseInt(part.trim());
            } catch (NumberFormatException e) {
                throw new UserError(setting("device") + " " + spec + ": \"" + part + "\" is not a device number (expected "
                        + "opencl:N,M,… with numbers from `clprop devices`, or opencl:all)");
            }
            if (!seen.add(n)) {
                throw new UserError(setting("device") + " " + spec + ": opencl:" + n + " is named twice");
            }
            out.add(ClDevices.byIndex(n));
        }
        return out;
    }

    /**
     * A backend for each device the spec names ({@code cpu}: the CPU path alone), each with its tuned or
     * default matrix-multiply kernels. Devices of one platform share one context, so their gradients are
     * summed and their weights sent device to device ({@link ReplicaExchange}); devices of different platforms meet through the host.
     * If one fails to open, those already open are closed.
     */
    public static List<Backend> openAll(String spec, Map<String, String> extraBuildOptions) {
        if (spec.trim().equals("cpu")) {
            return List.of(new CpuBackend());
        }
        List<ClDevice> devices = clDevices(spec);
        List<Backend> out = new ArrayList<>();
        try {
            for (ClDevice d : devices) {
                List<ClDevice> sharing = devices.stream().filter(o -> o.platform().equals(d.platform())).toList();
                out.add(new OpenClBackend(d, GemmTuner.cachedOrDefault(d), extraBuildOptions, sharing));
            }
        } catch (RuntimeException e) {
            out.forEach(Backend::close);
            throw e;
        }
        return out;
    }

    /** The OpenCL device named by {@code opencl} (the first) or {@code opencl:N}; a one-line error otherwise. */
    public static ClDevice clDevice(String spec) {
        String s = spec.trim();
        if (s.equals("opencl")) {
            return ClDevices.byIndex(0);
        }
        if (namesSeveral(s)) {
            throw new UserError(setting("device") + " " + spec + ": this command runs on one device; name one, "
                    + "opencl:N (train, bench and verify take several)");
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
        throw new UserError(setting("device") + " " + spec + ": unknown device (expected opencl, opencl:N, "
                + "opencl:N,M,…, opencl:all or cpu)");
    }
}
