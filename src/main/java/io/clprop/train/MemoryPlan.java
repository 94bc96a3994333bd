package io.clprop.train;

import io.clprop.backend.MemoryLimits;
import io.clprop.data.Dataset;
import io.clprop.nn.LossKind;
import io.clprop.nn.NetworkSpec;
import io.clprop.util.UserError;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.clprop.backend.MemoryLimits.format;

/**
 * The device buffers a {@link Trainer} allocates, listed before it allocates any, so that a device too small
 * for the data set or the model is reported with the sizes needed and available instead of failing half-way
 * (an allocation error from the driver, or data uploaded for nothing).
 *
 * <p>The list mirrors the trainer's allocations buffer by buffer (MemoryPlanTest compares it with the bytes
 * an OpenCL backend actually holds after construction): change one, change the other. It is a lower bound on
 * what the device needs (the driver adds kernels, queues and its own scratch) and the checks only refuse
 * what certainly cannot fit: more than CL_DEVICE_GLOBAL_MEM_SIZE in all, or one buffer above
 * CL_DEVICE_MAX_MEM_ALLOC_SIZE.
 */
public final class MemoryPlan {
    /** One device buffer: what it holds, the part of training it belongs to, and its size. */
    public record Buffer(String group, String name, long bytes) {
    }

    /** The training and test sets, uploaded once. */
    static final String DATA = "data sets";
    /** Parameters, gradients and the optimizer's state. */
    static final String MODEL = "model";
    /** Layer outputs and gradients, the gathered batch, the epoch's order and losses, test predictions. */
    static final String WORK = "activations and batches";

    private final List<Buffer> buffers = new ArrayList<>();

    private MemoryPlan() {
    }

    /**
     * What {@code new Trainer(backend, config, train, test)} allocates.
     *
     * @param maxRows               rows the network's activation buffers hold (the batch, or more to evaluate)
     * @param optimizerStateBuffers parameter-sized buffers the optimizer keeps (SGD 0, momentum 1, Adam 2)
     */
    public static MemoryPlan forTrainer(NetworkSpec spec, TrainConfig config, Dataset train, Dataset validation,
                                        Dataset test, int maxRows) {
        MemoryPlan p = new MemoryPlan();
        boolean mse = config.loss() == LossKind.MSE;
        long n = train.size(), d = train.featureCount(), classes = train.numClasses(), b = config.batchSize();
        // DeviceDataset: the training, validation and test sets, uploaded once (targets too under MSE).
        for (Object[] set : new Object[][]{{"training", train}, {"validation", validation}, {"test", test}}) {
            Dataset data = (Dataset) set[1];
            if (data != null) {
                p.add(DATA, set[0] + " features", (long) data.size() * data.featureCount());
                p.add(DATA, set[0] + " labels", data.size());
                if (mse) {
                    p.add(DATA, set[0] + " targets", (long) data.size() * classes);
                }
            }
        }
        // Network: all parameters in one buffer, all gradients in another, plus what the optimizer keeps
        // and early stopping's copy of the best weights.
        long params = spec.parameterCount();
        p.add(MODEL, "parameters", params);
        p.add(MODEL, "gradients", params);
        int stateBuffers = switch (config.optimizer().kind()) {
            case SGD -> 0;
            case MOMENTUM, NESTEROV -> 1;
            case ADAM -> 2;
        };
        for (int i = 0; i < stateBuffers; i++) {
            p.add(MODEL, "optimizer state " + (i + 1), params);
        }
        if (config.patience() > 0) {
            p.add(MODEL, "best parameters", params);
        }
        // Network: per-row losses, and each layer's output and dLoss/dZ for maxRows rows.
        p.add(WORK, "row losses", maxRows);
        for (int l = 0; l < spec.layers().size(); l++) {
            long units = spec.layers().get(l).units();
            p.add(WORK, "layer " + (l + 1) + " outputs", maxRows * units);
            p.add(WORK, "layer " + (l + 1) + " gradients", maxRows * units);
            // Dropout's dropped outputs Ã, which the next layer reads: hidden layers, training batches only.
            if (config.dropout() > 0 && l < spec.layers().size() - 1) {
                p.add(WORK, "layer " + (l + 1) + " dropped outputs", b * units);
            }
        }
        // Trainer: the gathered batch, the epoch's order and losses, evaluation losses and predictions.
        p.add(WORK, "batch features", b * d);
        p.add(WORK, "batch labels", b);
        if (mse) {
            p.add(WORK, "batch targets", b * classes);
        }
        p.add(WORK, "permutation", n);
        p.add(WORK, "step losses and divergence flag", (n + b - 1) / b + 1);
        // Evaluator, one per evaluated set: its chunks' mean losses and its predictions.
        for (Object[] set : new Object[][]{{"validation", validation}, {"test", test}}) {
            Dataset data = (Dataset) set[1];
            if (data != null) {
                int chunk = Math.min(maxRows, data.size());
                p.add(WORK, set[0] + " chunk losses", (data.size() + chunk - 1) / chunk);
                p.add(WORK, set[0] + " predictions", data.size());
            }
        }
        return p;
    }

    /** A buffer of {@code elements} 32-bit words; the backend keeps at least one word per buffer. */
    private void add(String group, String name, long elements) {
        buffers.add(new Buffer(group, name, 4L * Math.max(1, elements)));
    }

    public List<Buffer> buffers() {
        return List.copyOf(buffers);
    }

    public long totalBytes() {
        long t = 0;
        for (Buffer b : buffers) {
            t += b.bytes();
        }
        return t;
    }

    /** Bytes per group, in the order the groups first appear. */
    public Map<String, Long> byGroup() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Buffer b : buffers) {
            out.merge(b.group(), b.bytes(), Long::sum);
        }
        return out;
    }

    /**
     * Throws a {@link UserError} with the sizes needed and available if the buffers cannot fit: the total
     * above the device's memory, or one buffer above its largest allocation.
     */
    public void check(MemoryLimits limits) {
        long total = totalBytes();
        if (total > limits.globalBytes()) {
            List<String> parts = new ArrayList<>();
            byGroup().forEach((group, bytes) -> parts.add(group + " " + format(bytes)));
            throw new UserError("not enough device memory: training needs " + sized(total) + " for "
                    + String.join(", ", parts) + ", but " + limits.device() + " has " + sized(limits.globalBytes())
                    + " of global memory (CL_DEVICE_GLOBAL_MEM_SIZE, " + limits.source() + "); " + REMEDY);
        }
        Buffer largest = buffers.stream().max((x, y) -> Long.compare(x.bytes(), y.bytes())).orElseThrow();
        if (largest.bytes() > limits.maxAllocBytes()) {
            throw new UserError("not enough device memory: the " + largest.name() + " need one buffer of "
                    + sized(largest.bytes()) + " but " + limits.device() + " allows at most "
                    + sized(limits.maxAllocBytes()) + " per buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE, " + limits.source()
                    + "); " + REMEDY);
        }
    }

    private static final String REMEDY = "use fewer samples (--train-limit, --test-limit), a smaller --batch or "
            + "--hidden, a device with more memory, or --device cpu";

    /** "1.5 MiB (1572864 bytes)": readable, and exact where two sizes are close. */
    public static String sized(long bytes) {
        return bytes < 1024 ? bytes + " bytes" : format(bytes) + " (" + bytes + " bytes)";
    }
}
