package io.clprop.cli;

import io.clprop.train.EpochJson;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.clprop.backend.opencl.ClDevice;
import io.clprop.backend.opencl.OpenClBackend;
import io.clprop.util.UserError;
import io.clprop.verify.Comparison;
import io.clprop.verify.KernelCrossCheck;
import io.clprop.verify.StepCrossCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * `clprop verify`: every kernel on the device against its CPU twin over the shape suite, and a whole
 * training step per activation × loss pair; a table, a summary line, exit 0 only if everything passes. With
 * several devices (opencl:N,M,…, opencl:all) each in turn, then a line for all of them.
 */
@Command(name = "verify", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Check every kernel on an OpenCL device against the CPU path (exit 0 only if all pass).")
final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    DeviceOption device = new DeviceOption();

    @picocli.CommandLine.Mixin
    JsonOutput json = new JsonOutput();

    @Option(names = "--cases", paramLabel = "N",
            description = "Run at most N kernel cases, covering every kernel, cheapest first (default: all).")
    Integer cases;

    @Option(names = "--seed", description = "Seed for the random inputs (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @Option(names = "--skip", split = ",", paramLabel = "KERNEL[,KERNEL…]",
            description = "Leave out the cases of these kernels; 'train_step' leaves out the whole-step checks.")
    List<String> skip = List.of();

    @picocli.CommandLine.Mixin
    BuildOptions buildOptions = new BuildOptions();

    @picocli.CommandLine.Mixin
    GemmConfigOption gemm = new GemmConfigOption();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (cases != null && cases < 1) {
            throw new UserError("--cases must be at least 1, got " + cases);
        }
        json.checkWritable();
        Map<String, String> extra = buildOptions.parse();
        List<ClDevice> devices = device.clDevices();
        long failed = 0, passed = 0;
        JsonArray perDevice = new JsonArray();
        for (int i = 0; i < devices.size(); i++) {
            if (devices.size() > 1) {
                out.println((i == 0 ? "" : System.lineSeparator()) + "== device " + (i + 1) + " of " + devices.size());
            }
            try (OpenClBackend backend = io.clprop.backend.Backends.openCl(devices.get(i), gemm.config, extra)) {
                List<Comparison> results = verifyOn(backend, out);
                long f = results.stream().filter(r -> !r.passed()).count();
                failed += f;
                passed += results.size() - f;
                perDevice.add(toJson(backend, results, results.size() - f, f));
            }
        }
        if (devices.size() > 1) {
            out.println(passed + " passed, " + failed + " failed on " + devices.size() + " devices");
        }
        if (json.wanted()) {
            if (devices.size() == 1) {
                json.write(perDevice.get(0).getAsJsonObject());
            } else {
                JsonObject root = new JsonObject();
                root.add("devices", perDevice);
                root.addProperty("passed", passed);
                root.addProperty("failed", failed);
                json.write(root);
            }
        }
        return failed == 0 ? 0 : Main.EXIT_CHECK_FAILED;
    }

    /** Every case on one device: the device lines, the table and its summary line. */
    private List<Comparison> verifyOn(OpenClBackend backend, PrintWriter out) {
        List<Comparison> results = new ArrayList<>();
        ClDevice d = backend.device();
        out.println("device   " + d.summary());
        out.println("platform " + d.platformName() + " (" + d.platformVersion() + ")");
        for (Map.Entry<String, String> e : backend.buildOptions().entrySet()) {
            out.println("options  " + e.getKey() + ": " + e.getValue());
        }
        out.printf("%-22s %-16s %10s %10s %10s  %s%n", "kernel", "shape", "max_abs", "max_rel", "tol", "result");
        try (KernelCrossCheck check = new KernelCrossCheck(backend, seed)) {
            List<KernelCrossCheck.Case> suite = new ArrayList<>(check.suite());
            suite.removeIf(c -> skip.contains(c.kernel().replaceAll("[\\[(].*", "")));
            if (cases != null) {
                suite = KernelCrossCheck.select(suite, cases);
            }
            for (KernelCrossCheck.Case c : suite) {
                Comparison r = c.run().get();
                results.add(r);
                out.println(r.row());
            }
        }
        if (!skip.contains("train_step")) {
            for (Comparison r : StepCrossCheck.allPairs(backend, seed)) {
                results.add(r);
                out.println(r.row());
            }
        }
        long failed = results.stream().filter(r -> !r.passed()).count();
        out.println((results.size() - failed) + " passed, " + failed + " failed");
        return results;
    }

    private static JsonObject toJson(OpenClBackend backend, List<Comparison> results, long passed, long failed) {
        ClDevice d = backend.device();
        JsonObject root = new JsonObject();
        root.addProperty("device", d.summary());
        root.addProperty("platform", d.platformName());
        root.addProperty("platform_version", d.platformVersion());
        root.addProperty("device_name", d.name());
        root.addProperty("device_version", d.deviceVersion());
        root.addProperty("driver_version", d.driverVersion());
        JsonObject opts = new JsonObject();
        backend.buildOptions().forEach(opts::addProperty);
        root.add("build_options", opts);
        JsonArray cs = new JsonArray();
        for (Comparison r : results) {
            JsonObject c = new JsonObject();
            c.addProperty("kernel", r.what());
            c.addProperty("shape", r.where());
            c.add("max_abs", EpochJson.number(r.maxAbs()));
            c.add("max_rel", EpochJson.number(r.maxRel()));
            c.addProperty("tol", r.tolerance());
            c.addProperty("pass", r.passed());
            cs.add(c);
        }
        root.add("cases", cs);
        root.addProperty("passed", passed);
        root.addProperty("failed", failed);
        return root;
    }
}
