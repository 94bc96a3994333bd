package io.clprop.cli;

import io.clprop.backend.opencl.ClDevice;
import io.clprop.backend.opencl.DeviceLimits;
import io.clprop.backend.opencl.GemmConfig;
import io.clprop.backend.opencl.GemmSpace;
import io.clprop.backend.opencl.GemmTuner;
import io.clprop.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** `clprop tune`: choose the matrix-multiply kernels' shape for a device and cache it. */
@Command(name = "tune", mixinStandardHelpOptions = true,
        description = "Time matrix-multiply kernel shapes of every family (register blocks, tiles) within the "
                + "device's limits and cache the fastest (used by every later run on this device and driver).")
final class TuneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    DeviceOption device = new DeviceOption();

    @Option(names = "--budget", paramLabel = "N",
            description = "Candidates timed per family: the device's defaults and cached choice, then a random "
                    + "sample of the rest; 0 times every one (default: ${DEFAULT-VALUE}).")
    int budget = GemmTuner.DEFAULT_BUDGET;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the random sample (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--list", description = "Print the search space's rules and the candidates that would be "
            + "timed; time nothing, save nothing.")
    boolean list;

    /** Tiles used to need this off GPUs; every family is searched now. Kept so that scripts still run. */
    @Option(names = "--tiled", hidden = true)
    boolean tiled;

    @Override
    public Integer call() {
        if (budget < 0) {
            throw new UserError("--budget " + budget + ": expected 0 (all) or a positive number of candidates");
        }
        PrintWriter out = spec.commandLine().getOut();
        ClDevice d = device.clDevice();
        DeviceLimits limits = DeviceLimits.of(d);
        out.println("device  " + d.summary());
        out.println("limits  " + limits.summary());
        out.println("current " + GemmTuner.cachedOrDefault(d).buildOptions());
        GemmTuner.Plan plan = GemmTuner.plan(d, budget, seed);
        if (list) {
            printRules(out);
        }
        for (GemmTuner.FamilyPlan f : plan.families()) {
            out.printf("space   %s: %d configurations, %d within the device's limits, %d after pruning, %d to time%n",
                    f.family(), f.configurations(), f.fit(), f.kept(), f.timed());
        }
        if (list) {
            for (GemmConfig c : plan.timed()) {
                out.println("  " + c.buildOptions());
            }
            return 0;
        }
        out.println("sample  seed " + seed + (budget == 0 ? ", all" : ", at most " + budget + " per family"));
        long t0 = System.nanoTime();
        GemmTuner.Timing best = GemmTuner.tune(d, plan, GemmTuner.cacheFile(), t -> {
            if (t.skipped() != null) {
                out.printf("  %-48s skipped: %s%n", t.config().buildOptions(), t.skipped());
            } else {
                out.printf("  %-48s %9.1f µs per round  %6.1f GFLOP/s%s%n", t.config().buildOptions(), t.microseconds(),
                        t.gflops(), t.samples() == 1 ? "  (cut after one round)" : "");
            }
            out.flush();
        });
        out.printf("chosen  %s (%.1f GFLOP/s), saved to %s; %d candidates in %.0f s%n", best.config().buildOptions(),
                best.gflops(), GemmTuner.cacheFile(), plan.timed().size(), (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    /** Each family's parameters with their values, and its rules: the space as data, as the README shows it. */
    private static void printRules(PrintWriter out) {
        for (GemmSpace.Family<? extends GemmConfig> f : GemmSpace.FAMILIES) {
            out.println("family  " + f.name() + ": " + f.parameters().stream()
                    .map(p -> p.name() + " " + p.values().stream().map(String::valueOf).collect(Collectors.joining(",")))
                    .collect(Collectors.joining("; ")));
            printRules(out, f.kernelRules());
            printRules(out, f.deviceRules());
            printRules(out, f.pruneRules());
        }
    }

    private static void printRules(PrintWriter out, java.util.List<? extends GemmSpace.Rule<?>> rules) {
        for (GemmSpace.Rule<?> r : rules) {
            out.println("  rule  " + r.why().name().toLowerCase(java.util.Locale.ROOT) + ": " + r.text());
        }
    }
}
