package io.clprop.backend;

import io.clprop.backend.cpu.CpuBackend;
import io.clprop.backend.opencl.ClDevices;
import io.clprop.backend.opencl.OpenClBackend;
import io.clprop.util.UserError;

/** Opens a backend from the command line's {@code --device} value: {@code opencl}, {@code opencl:N} or {@code cpu}. */
public final class Backends {
    private Backends() {
    }

    public static Backend open(String spec) {
        String s = spec.trim();
        if (s.equals("cpu")) {
            return new CpuBackend();
        }
        if (s.equals("opencl")) {
            return new OpenClBackend(ClDevices.byIndex(0));
        }
        if (s.startsWith("opencl:")) {
            String n = s.substring("opencl:".length());
            int index;
            try {
                index = Integer.parseInt(n);
            } catch (NumberFormatException e) {
                throw new UserError("--device " + spec + ": expected opencl:N with N a device number from `clprop devices`");
            }
            return new OpenClBackend(ClDevices.byIndex(index));
        }
        throw new UserError("--device " + spec + ": unknown device (expected opencl, opencl:N or cpu)");
    }
}
