package io.clprop.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.clprop.backend.Backend;
import io.clprop.backend.opencl.GemmConfig;
import io.clprop.backend.opencl.GemmTuner;
import io.clprop.backend.opencl.OpenClBackend;
import io.clprop.bench.Bench;
import io.clprop.bench.BenchWorkload;
import io.clprop.data.Dataset;
import io.clprop.data.MnistFolder;
import io.clprop.train.TrainConfig;
import io.clprop.train.Trainer;
import io.clprop.util.Overlap;
import io.clprop.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * `clprop bench`: the reference workload's throughput at several batch sizes, matrix-multiply GFLOP/s for its
 * shapes and 1024³, per-step traffic as counted by the backend, start-up time and a per-kernel profile.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measure training throughput (784-256-128-10 on Fashion-MNIST) and matrix-multiply speed.")
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    DeviceOption device = new DeviceOption();

    @Option(names = "--data", paramLabel = "DIR", description = "MNIST-format folder (default: ${DEFAULT-VALUE}).")
    Path data = MnistFolder.DEFAULT_DIR;

    @Option(names = "--batches", split = ",", description = "Batch sizes; the first is the headline (default: 128,32,512).")
    int[] batches = {128, 32, 512};

    @Option(names = "--epochs", description = "Timed epochs per batch size after one warm-up (default: ${DEFAULT-VALUE}).")
    int epochs = 3;

    @picocli.CommandLine.Mixin
    GemmConfigOption gemm = new GemmConfigOption();

    @Option(names = "--nan-check-every", paramLabel = "N", description = "Steps between divergence checks, as in "
            + "train (0: at epoch ends only; default: ${DEFAULT-VALUE}).")
    int nanCheckEvery = TrainConfig.DEFAULT_DIVERGENCE_CHECK_EVERY;

    @Option(names = "--no-gemm", description = "Skip the matrix-multiply measurements.")
    boolean noGemm;

    @Option(names = "--no-profile", description = "Skip the per-kernel profile.")
    boolean noProfile;

    @Option(names = "--workload", paramLabel = "mlp|cnn", description = "What to train: mlp, the reference MLP "
            + "(784-256-128-10, SGD 0.1), or cnn, the reference convolutional network (conv 32 3x3 pad 1, ReLU, "
            + "maxpool 2, conv 64 3x3 pad 1, ReLU, maxpool 2, dense 128, ReLU, dense 10; Adam 1e-3) (default: mlp).")
    String workload = "mlp";

    @Option(names = "--hidden", split = ",", paramLabel = "W", description = "mlp only: hidden layer widths instead "
            + "of 256,128 (for the cost of wider layers; the matrix-multiply shapes follow).")
    int[] hidden;

    @Option(names = "--samples", paramLabel = "N", description = "Train on the first N training samples only "
            + "(default: all 60,000).")
    Integer samples;

    @picocli.CommandLine.Mixin
    JsonOutput json = new JsonOutput();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (epochs < 1) {
            throw new UserError("--epochs must be at least 1, got " + epochs);
        }
        for (int b : batches) {
            if (b < 1) {
                throw new UserError("--batches: sizes must be positive, got " + b);
            }
        }
        TrainConfig reference;
        BenchWorkload kind;
        try {
            kind = BenchWorkload.parse(workload);
            reference = kind.reference(nanCheckEvery, hidden);
        } catch (IllegalArgumentException e) {
            throw UserError.of(e);
        }
        json.checkWritable();
        if (gemm.config != null && device.isCpu()) {
            throw new UserError("--gemm-config chooses OpenCL kernels; it does not apply to --device cpu");
        }
        if (samples != null && samples < 1) {
            throw new UserError("--samples must be at least 1, got " + samples);
        }
        JsonObject root = new JsonObject();
        if (device.namesSeveral()) {
            if (gemm.config != null) {
                throw new UserError("--gemm-config chooses one device's kernels; with several devices each uses its "
                        + "tuned or default ones");
            }
            severalDevices(out, loadTrain(), reference, kind, root);
            if (json.wanted()) {
                json.write(root);
            }
            return 0;
        }
        // As train does: the data is read while the device opens and compiles its kernels. Each part's
        // time is its own (they overlap, so they add up to more than the start-up).
        long[] loadNs = new long[1], openNs = new long[1];
        long t0 = System.nanoTime();
        Overlap.Both<Dataset, Backend> started = Overlap.run(() -> {
            long t = System.nanoTime();
            Dataset d = loadTrain();
            loadNs[0] = System.nanoTime() - t;
            return d;
        }, () -> {
            long t = System.nanoTime();
            Backend b = open();
            openNs[0] = System.nanoTime() - t;
            return b;
        });
        double bothMs = (System.nanoTime() - t0) / 1e6;
        double loadMs = loadNs[0] / 1e6, openMs = openNs[0] / 1e6;
        Dataset train = started.background();
        try (Backend backend = started.foreground()) {
            double firstStepMs = firstStep(backend, train, reference);
            double sinceJvmStart = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
            out.println("device   " + backend.description());
            if (backend instanceof OpenClBackend cl) {
                GemmConfig g = cl.gemmConfig();
                out.println("kernels  kernels/" + g.file() + " " + g.buildOptions());
                root.add("gemm_config", GemmTuner.toJson(g));
            }
            out.printf("startup  JVM start to first step done %.0f ms (data load %.0f ms and, at the same time, backend "
                    + "and kernels %.0f ms: %.0f ms for both; trainer set-up and first step %.0f ms)%n", sinceJvmStart,
                    loadMs, openMs, bothMs, firstStepMs);
            root.addProperty("device", backend.description());
            root.addProperty("workload", kind.specName());
            if (hidden != null) {
                JsonArray h = new JsonArray();
                for (int w : hidden) {
                    h.add(w);
                }
                root.add("hidden", h);
            }
            root.addProperty("train_samples", train.size());
            root.addProperty("nan_check_every", nanCheckEvery);
            root.addProperty("startup_ms", sinceJvmStart);
            root.addProperty("data_load_ms", loadMs);
            root.addProperty("backend_open_ms", openMs);
            root.addProperty("data_and_backend_ms", bothMs);
            root.addProperty("first_step_ms", firstStepMs);

            JsonArray workloads = new JsonArray();
            for (int i = 0; i < batches.length; i++) {
                if (batches[i] > train.size()) {
                    throw new UserError("--batches: " + batches[i] + " is larger than the training set");
                }
                Bench.Workload w = Bench.workload(backend, train, reference, batches[i], epochs);
                out.printf("train    batch %4d: %,9.0f samples/s  %.3f ms/step  (%d steps/epoch; epochs %s)  per step: "
                                + "h2d %.2f B, d2h %.2f B, %.4f waits%n", w.batch(), w.samplesPerSec(), w.stepMs(),
                        w.steps(), fmt(w.epochSamplesPerSec()), w.h2dBytesPerStep(), w.d2hBytesPerStep(),
                        w.syncsPerStep());
                JsonObject o = new JsonObject();
                o.addProperty("batch", w.batch());
                o.addProperty("samples_per_sec", w.samplesPerSec());
                o.addProperty("step_ms", w.stepMs());
                o.addProperty("h2d_bytes_per_step", w.h2dBytesPerStep());
                o.addProperty("d2h_bytes_per_step", w.d2hBytesPerStep());
                o.addProperty("syncs_per_step", w.syncsPerStep());
                o.addProperty("final_train_loss", w.epochTrainLosses()[w.epochTrainLosses().length - 1]);
                workloads.add(o);
                if (i == 0) {
                    root.addProperty("batch", w.batch());
                    root.addProperty("samples_per_sec", w.samplesPerSec());
                    root.addProperty("step_ms", w.stepMs());
                    root.addProperty("h2d_bytes_per_step", w.h2dBytesPerStep());
                    root.addProperty("d2h_bytes_per_step", w.d2hBytesPerStep());
                    root.addProperty("syncs_per_step", w.syncsPerStep());
                    root.addProperty("final_train_loss", w.epochTrainLosses()[w.epochTrainLosses().length - 1]);
                }
            }
            root.add("workloads", workloads);

            if (!noGemm) {
                JsonArray gemms = new JsonArray();
                for (int[] s : kind.shapes(batches[0], hidden)) {
                    Bench.Gemm g = Bench.gemm(backend, Bench.formName(s[0]), s[1], s[2], s[3]);
                    out.printf("gemm     %-2s %4d x %4d x %4d  %7.1f GFLOP/s%n", g.form(), g.m(), g.n(), g.k(), g.gflops());
                    JsonObject o = new JsonObject();
                    o.addProperty("form", g.form());
                    o.addProperty("m", g.m());
                    o.addProperty("n", g.n());
                    o.addProperty("k", g.k());
                    o.addProperty("gflops", g.gflops());
                    gemms.add(o);
                }
                root.add("gemm", gemms);
            }

            if (!noProfile && backend instanceof OpenClBackend cl) {
                Map<String, long[]> p = Bench.profile(cl, train, reference, batches[0]);
                long total = p.values().stream().mapToLong(v -> v[1]).sum();
                int steps = (train.size() + batches[0] - 1) / batches[0];
                out.printf("profile  one epoch at batch %d, device time per step %.3f ms:%n", batches[0], total / 1e6 / steps);
                JsonArray prof = new JsonArray();
                List<Map.Entry<String, long[]>> rows = new ArrayList<>(p.entrySet());
                rows.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
                for (Map.Entry<String, long[]> e : rows) {
                    long[] v = e.getValue();
                    out.printf("         %-20s %5.1f%%  %7.1f µs/launch  %5.1f launches/step%n", e.getKey(),
                            100.0 * v[1] / total, v[1] / 1e3 / v[0], (double) v[0] / steps);
                    JsonObject o = new JsonObject();
                    o.addProperty("kernel", e.getKey());
                    o.addProperty("share", (double) v[1] / total);
                    o.addProperty("us_per_launch", v[1] / 1e3 / v[0]);
                    o.addProperty("launches_per_step", (double) v[0] / steps);
                    prof.add(o);
                }
                root.add("profile", prof);
            }
        }
        if (json.wanted()) {
            json.write(root);
        }
        return 0;
    }

    /** Exchange steps timed per trial in {@link Bench#exchange}. */
    static final int EXCHANGE_REPS = 20;

    /**
     * With several devices: each batch size on the first device alone and on all of them, in the same run,
     * with the bytes a step moves; then the exchange of the network's gradients and weights timed alone.
     */
    private void severalDevices(PrintWriter out, Dataset train, TrainConfig reference, BenchWorkload kind,
                                JsonObject root) {
        try (OpenDevices devices = device.openAll(Map.of())) {
            int n = devices.count();
            JsonArray names = new JsonArray();
            for (int i = 0; i < n; i++) {
                out.println("device   " + (i + 1) + " of " + n + ": " + devices.all().get(i).description());
                names.add(devices.all().get(i).description());
            }
            root.add("devices", names);
            root.addProperty("workload", kind.specName());
            if (hidden != null) {
                JsonArray h = new JsonArray();
                for (int w : hidden) {
                    h.add(w);
                }
                root.add("hidden", h);
            }
            root.addProperty("train_samples", train.size());
            JsonArray workloads = new JsonArray();
            for (int b : batches) {
                if (b > train.size()) {
                    throw new UserError("--batches: " + b + " is larger than the training set");
                }
                Bench.Workload one = Bench.workload(devices.first(), train, reference, b, epochs);
                Bench.Workload all = Bench.workload(devices.all(), train, reference, b, epochs);
                out.printf("train    batch %4d: 1 device %,9.0f samples/s %.3f ms/step; %d devices %,9.0f samples/s "
                                + "%.3f ms/step (%.2f×); per step on %d: between devices %.0f B, h2d %.0f B, d2h %.0f B%n",
                        b, one.samplesPerSec(), one.stepMs(), n, all.samplesPerSec(), all.stepMs(),
                        all.samplesPerSec() / one.samplesPerSec(), n, all.d2dBytesPerStep(), all.h2dBytesPerStep(),
                        all.d2hBytesPerStep());
                JsonObject o = new JsonObject();
                o.addProperty("batch", b);
                o.add("one_device", toJson(one));
                o.add("all_devices", toJson(all));
                workloads.add(o);
            }
            root.add("workloads", workloads);
            int parameters = Math.toIntExact(Trainer.specFor(reference, train).parameterCount());
            Bench.Exchange x = Bench.exchange(devices.all(), parameters, EXCHANGE_REPS);
            out.printf("exchange %d devices, %s: %.3f ms a step alone, %,d bytes (%,d parameters: gradients summed "
                    + "into the first, its weights sent back)%n", n, x.route(), x.msPerStep(), x.bytesPerStep(),
                    x.parameters());
            JsonObject e = new JsonObject();
            e.addProperty("route", x.route());
            e.addProperty("parameters", x.parameters());
            e.addProperty("bytes_per_step", x.bytesPerStep());
            e.addProperty("ms_per_step", x.msPerStep());
            root.add("exchange", e);
        }
    }

    private static JsonObject toJson(Bench.Workload w) {
        JsonObject o = new JsonObject();
        o.addProperty("samples_per_sec", w.samplesPerSec());
        o.addProperty("step_ms", w.stepMs());
        o.addProperty("between_devices_bytes_per_step", w.d2dBytesPerStep());
        o.addProperty("h2d_bytes_per_step", w.h2dBytesPerStep());
        o.addProperty("d2h_bytes_per_step", w.d2hBytesPerStep());
        return o;
    }

    private Dataset loadTrain() {
        Dataset train = MnistFolder.loadTrain(data);
        return samples != null && samples < train.size() ? train.head(samples) : train;
    }

    private Backend open() {
        return gemm.config == null ? device.open() : device.openCl(gemm.config, Map.of());
    }

    /** Trainer set-up (uploads) and one step, waited for: the last part of start-up. */
    private static double firstStep(Backend backend, Dataset train, TrainConfig reference) {
        long t = System.nanoTime();
        TrainConfig config = reference.withEpochs(1).withBatchSize(Math.min(128, train.size()));
        try (Trainer trainer = new Trainer(backend, config, train, null)) {
            trainer.trainSteps(1);
            backend.finish();
        }
        return (System.nanoTime() - t) / 1e6;
    }

    private static String fmt(double[] v) {
        StringBuilder sb = new StringBuilder();
        for (double x : v) {
            sb.append(sb.length() == 0 ? "" : " ").append(String.format("%,.0f", x));
        }
        return sb.toString();
    }
}
