package io.clprop.cli;

import io.clprop.backend.opencl.ClDevice;
import io.clprop.backend.opencl.ClDevices;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/** `clprop devices`: the OpenCL platforms and devices, numbered as --device opencl:N takes them. */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = "List OpenCL platforms and devices with their index, type, compute units and memory.")
final class DevicesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        List<ClDevice> devices = ClDevices.all(); // fails with one line before anything is printed
        out.printf("%-9s %-5s %4s %10s %10s  %s%n", "device", "type", "CUs", "memory", "max alloc", "name / platform / version");
        for (ClDevice d : devices) {
            out.printf("%-9s %-5s %4d %7d MiB %6d MiB  %s / %s / %s, driver %s%n", "opencl:" + d.index(), d.type(),
                    d.computeUnits(), d.globalMemBytes() >> 20, d.maxAllocBytes() >> 20, d.name(), d.platformName(),
                    d.deviceVersion(), d.driverVersion());
        }
        out.printf("%-9s %-5s %4d %10s %10s  %s%n", "cpu", "host", Runtime.getRuntime().availableProcessors(), "-", "-",
                "clprop's pure-Java reference path");
        return 0;
    }
}
