package io.clprop.bench;

import io.clprop.backend.Activation;
import io.clprop.backend.Backend;
import io.clprop.backend.Tensor;
import io.clprop.backend.TransferStats;
import io.clprop.backend.opencl.OpenClBackend;
import io.clprop.data.Dataset;
import io.clprop.train.EpochMetrics;
import io.clprop.train.TrainConfig;
import io.clprop.train.Trainer;
import org.apache.commons.math3.random.Well19937c;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The measurements behind `clprop bench`: training throughput of the reference workload, matrix-multiply
 * throughput for the shapes it uses, per-step traffic as the backend counts it, and a per-kernel profile.
 * Every figure is a median over repeated trials, since the machines are shared and noisy.
 */
public final class Bench {
    private Bench() {
    }

    /** The reference workload at one batch size. */
    public record Workload(int batch, int steps, double samplesPerSec, double stepMs, double h2dBytesPerStep,
                           double d2hBytesPerStep, double syncsPerStep, double[] epochSamplesPerSec,
                           double d2dBytesPerStep, double[] epochTrainLosses) {
    }

    /**
     * Data-parallel training's exchange alone, per step: the gradients summed into the first device and its
     * weights sent back, for {@code parameters} floats.
     */
    public record Exchange(int devices, String route, int parameters, long bytesPerStep, double msPerStep) {
    }

    /** One matrix product: c (m×n) = op(a)·op(b) with inner dimension k, in the form training uses it. */
    public record Gemm(String form, int m, int n, int k, double gflops) {
    }

    /**
     * Trains the reference network (784-256-128-10, ReLU, softmax-CE, SGD 0.1) on {@code train} at
     * {@code batch}: one warm-up epoch, then {@code epochs} timed ones; throughput is the median epoch's
     * training samples per second (the epoch's loss read back once at its end, no evaluation). The divergence
     * check runs every {@code reference.divergenceCheckEvery()} steps, as in training (0: at epoch ends only).
     *
     * @param reference the reference run's settings ({@link TrainConfig#defaults()} with the checks to measure);
     *                  its batch size and epoch count are set here
     */
    public static Workload workload(Backend backend, Dataset train, TrainConfig reference, int batch, int epochs) {
        return workload(List.of(backend), train, reference, batch, epochs);
    }

    /** {@link #workload(Backend, Dataset, TrainConfig, int, int)} on several devices (each batch split evenly). */
    public static Workload workload(List<? extends Backend> devices, Dataset train, TrainConfig reference, int batch,
                                    int epochs) {
        TrainConfig config = reference.withBatchSize(batch).withEpochs(epochs + 1);
        try (Trainer t = new Trainer(devices, io.clprop.train.BatchSplit.even(devices.size()), config, train, null)) {
            t.trainEpoch();
            double[] sps = new double[epochs], losses = new double[epochs];
            TransferStats steps = new TransferStats();
            for (int e = 0; e < epochs; e++) {
                EpochMetrics m = t.trainEpoch();
                sps[e] = m.samplesPerSec();
                losses[e] = m.trainLoss();
                steps = steps.plus(t.lastEpochStepTransfers());
            }
            double median = median(sps);
            int n = t.stepsPerEpoch() * epochs;
            return new Workload(batch, t.stepsPerEpoch(), median, 1000.0 * train.size() / median / t.stepsPerEpoch(),
                    (double) steps.hostToDeviceBytes() / n, (double) steps.deviceToHostBytes() / n,
                    (double) steps.blockingWaits() / n, sps, (double) steps.deviceToDeviceBytes() / n, losses);
        }
    }

    /**
     * The exchange of {@code parameters} floats among {@code devices} as training runs it each step (sum of
     * the gradients into the first device, its weights to the others), timed alone: the devices are idle
     * otherwise, so this is what the exchange adds to a step where nothing overlaps it. Median of 5 trials of
     * {@code reps} steps, each trial ended by waiting for every device.
     */
    public static Exchange exchange(List<? extends Backend> devices, int parameters, int reps) {
        List<Tensor> grads = new ArrayList<>(), params = new ArrayList<>();
        Well19937c rng = new Well19937c(2);
        try {
            for (Backend d : devices) {
                Tensor g = d.allocate(1, parameters), p = d.allocate(1, parameters);
                grads.add(g);
                params.add(p);
                d.write(g, random(parameters, rng));
                d.write(p, random(parameters, rng));
            }
            float[] weights = new float[devices.size()];
            java.util.Arrays.fill(weights, 1f / devices.size());
            try (io.clprop.backend.ReplicaExchange x = io.clprop.backend.ReplicaExchange.over(devices, grads, params)) {
                Runnable step = () -> {
                    x.sumGradients(weights);
                    x.broadcastParameters();
                };
                step.run();
                devices.forEach(Backend::finish);
                double[] ms = new double[5];
                for (int t = 0; t < ms.length; t++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < reps; i++) {
                        step.run();
                    }
                    devices.forEach(Backend::finish);
                    ms[t] = (System.nanoTime() - t0) / 1e6 / reps;
                }
                return new Exchange(devices.size(), x.route(), parameters, x.bytesPerStep(), median(ms));
            }
        } finally {
            for (int r = 0; r < grads.size(); r++) {
                devices.get(r).free(grads.get(r));
                devices.get(r).free(params.get(r));
            }
        }
    }

    /** Per-kernel device time over one epoch of the workload: name → {launches, nanoseconds}. */
    public static Map<String, long[]> profile(OpenClBackend backend, Dataset train, TrainConfig reference, int batch) {
        TrainConfig config = reference.withBatchSize(batch).withEpochs(2);
        try (Trainer t = new Trainer(backend, config, train, null)) {
            t.trainEpoch();
            backend.startProfiling();
            t.trainEpoch();
            return backend.stopProfiling();
        }
    }

    /**
     * GFLOP/s (2·m·n·k per product) of one product form, by the operation training runs for it: "nt" is
     * X·Wᵀ (forward: denseForward, with a zero bias and no activation), "tn" is dZᵀ·X (dW: denseBackwardWeights,
     * with the bias gradient, summed in slices of a long K where the backend does), "nn" is dZ·W (dX: matmul).
     * Launches are queued back to back as in training and waited for once per trial; median of 5 trials, each
     * long enough to swamp the final wait.
     */
    public static Gemm gemm(Backend backend, String form, int m, int n, int k) {
        boolean ta = form.equals("tn"), tb = form.equals("nt");
        Tensor a = ta ? backend.allocate(k, m) : backend.allocate(m, k);
        Tensor b = tb ? backend.allocate(n, k) : backend.allocate(k, n);
        Tensor c = backend.allocate(m, n);
        Tensor bias = backend.allocate(1, tb ? n : m);
        try {
            backend.write(bias, new float[bias.size()]);
            Runnable product = tb ? () -> backend.denseForward(a, b, bias, Activation.IDENTITY, c)
                    : ta ? () -> backend.denseBackwardWeights(a, b, c, bias)
                    : () -> backend.matmul(a, false, b, false, c);
            Well19937c rng = new Well19937c(1);
            backend.write(a, random(a.size(), rng));
            backend.write(b, random(b.size(), rng));
            double flops = 2.0 * m * n * k;
            int reps = (int) Math.max(3, Math.min(500, 4e8 / flops));
            for (int i = 0; i < 2; i++) {
                product.run();
            }
            backend.finish();
            double[] gflops = new double[5];
            for (int t = 0; t < gflops.length; t++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < reps; i++) {
                    product.run();
                }
                backend.finish();
                gflops[t] = flops * reps / (System.nanoTime() - t0);
            }
            return new Gemm(form, m, n, k, median(gflops));
        } finally {
            backend.free(a);
            backend.free(b);
            backend.free(c);
            backend.free(bias);
        }
    }

    public static String formName(int code) {
        return code == 0 ? "nt" : code == 1 ? "tn" : "nn";
    }

    private static float[] random(int n, Well19937c rng) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (rng.nextDouble() - 0.5);
        }
        return x;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
    }
}
