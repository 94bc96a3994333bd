package io.clprop.cli;

import io.clprop.backend.Backend;
import io.clprop.backend.Backends;
import io.clprop.backend.opencl.ClDevice;
import io.clprop.backend.opencl.GemmConfig;
import io.clprop.backend.opencl.OpenClBackend;
import picocli.CommandLine.Option;

import java.util.Map;

/**
 * {@code --device}, as every command that runs on a device takes it. Commands that work on kernels open it
 * with {@link #openCl}, which refuses {@code cpu} with the reason.
 */
final class DeviceOption {
    @Option(names = "--device", paramLabel = "DEVICE", description = "opencl (the first device), opencl:N (see "
            + "`clprop devices`) or, for the commands that run on it, cpu: the pure-Java path; train, bench and "
            + "verify also take several, opencl:N,M,… or opencl:all (default: ${DEFAULT-VALUE}).")
    String device = "opencl";

    boolean isCpu() {
        return device.trim().equals("cpu");
    }

    /** The device, or the CPU path for {@code cpu}. */
    Backend open() {
        return Backends.open(device);
    }

    /** An OpenCL device with these kernels ({@code gemm} null: the tuned or default ones) and extra build options. */
    OpenClBackend openCl(GemmConfig gemm, Map<String, String> extraBuildOptions) {
        return Backends.openCl(device, gemm, extraBuildOptions);
    }

    boolean namesSeveral() {
        return Backends.namesSeveral(device);
    }

    /** Every device named (one, several, or the CPU path), each with its tuned or default kernels. */
    OpenDevices openAll(Map<String, String> extraBuildOptions) {
        return new OpenDevices(Backends.openAll(device, extraBuildOptions));
    }

    /** The OpenCL devices named: one, or each of a list. */
    java.util.List<ClDevice> clDevices() {
        return Backends.clDevices(device);
    }

    ClDevice clDevice() {
        return Backends.clDevice(device);
    }
}
