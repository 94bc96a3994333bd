package io.clprop.cli;

import io.clprop.backend.opencl.ClDevice;
import io.clprop.backend.Backends;
import io.clprop.backend.opencl.GemmConfig;
import io.clprop.backend.opencl.GemmTuner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** `clprop tune`: choose the matrix-multiply kernels' shape for a device and cache it. */
@Command(name = "tune", mixinStandardHelpOptions = true,
        description = "Time matrix-multiply kernel shapes on a device and cache the fastest (used by every later run).")
final class TuneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--device", description = "opencl or opencl:N (default: ${DEFAULT-VALUE}).")
    String device = "opencl";

    @Option(names = "--tiled", description = "Also time the local-memory tiled kernels (always on GPUs).")
    boolean tiled;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ClDevice d = Backends.clDevice(device);
        out.println("device  " + d.summary());
        out.println("current " + GemmTuner.cachedOrDefault(d).buildOptions());
        GemmConfig best = GemmTuner.tune(d, tiled, t -> {
            if (t.skipped() != null) {
                out.printf("  %-48s skipped: %s%n", t.config().buildOptions(), t.skipped());
            } else {
                out.printf("  %-48s %9.1f µs per round  %6.1f GFLOP/s%n", t.config().buildOptions(), t.microseconds(),
                        t.gflops());
            }
        });
        out.println("chosen  " + best.buildOptions() + ", saved to " + GemmTuner.cacheFile());
        return 0;
    }
}
