package io.clprop.train;

import io.clprop.backend.MemoryLimits;
import io.clprop.backend.Tensor;
import io.clprop.data.Dataset;
import io.clprop.nn.LayerBuffer;
import io.clprop.nn.LossKind;
import io.clprop.nn.NetworkSpec;
import io.clprop.util.UserError;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.clprop.backend.MemoryLimits.format;
import static io.clprop.util.Wording.setting;

/**
 * The device buffers a {@link Trainer} allocates, listed before it allocates any, so that a device too small
 * for the data set or the model is reported with the sizes needed and available instead of failing half-way
 * (an allocation error from the driver, an OutOfMemoryError, or data uploaded for nothing).
 *
 * <p>The list mirrors the trainer's allocations buffer by buffer (MemoryPlanTest compares it with the bytes
 * an OpenCL backend actually holds after construction): change one, change the other. Every size is a long,
 * counted exactly: rows × width and the parameter count pass 2^31 long before a device runs out. It is a
 * lower bound on what the backend needs (the driver adds kernels, queues and its own scratch; the CPU path
 * host copies) and the checks only refuse what certainly cannot fit: a buffer with more elements than the
 * backend's buffers hold (32-bit indices; a Java array's limit), more than the memory in all
 * (CL_DEVICE_GLOBAL_MEM_SIZE, or the CPU path's maximum heap), or one buffer above
 * CL_DEVICE_MAX_MEM_ALLOC_SIZE.
 */
public final class MemoryPlan {
    /** One buffer: the part of training it belongs to, what it holds, its elements, and whether they are ints. */
    public record Buffer(String group, String name, long elements, boolean ints) {
        /** Bytes on a device: 32-bit words, at least one per buffer (as the OpenCL backend allocates). */
        public long bytes() {
            return bytesOn(MemoryLimits.Kind.DEVICE);
        }

        /** Bytes in memory of {@code kind}: on the CPU path a float is held as a double. */
        public long bytesOn(MemoryLimits.Kind kind) {
            return Math.multiplyExact(Math.max(1, elements), ints ? 4L : kind.floatBytes);
        }
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
     * @param maxRows rows the network's activation buffers hold (the batch, or more to evaluate)
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
                p.addInts(DATA, set[0] + " labels", data.size());
                if (mse) {
                    p.add(DATA, set[0] + " targets", (long) data.size() * classes);
                }
            }
        }
        // Network: all parameters in one buffer, all gradients in another, plus what the optimizer keeps
        // and early stopping's copy of the best weights.
        long params = spec.parameterCount(); // exact: widths of 65536 already pass 2^31
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
        // Network: per-row losses, and the buffers each layer declares for maxRows rows (a dense layer: its
        // output and dLoss/dZ), with dropout's dropped outputs for training batches.
        p.add(WORK, "row losses", maxRows);
        int dropoutRows = config.dropout() > 0 ? config.batchSize() : 0;
        for (int l = 0; l < spec.layers().size(); l++) {
            for (LayerBuffer buffer : spec.buffers(l, maxRows, dropoutRows)) {
                String name = "layer " + (l + 1) + " " + buffer.name();
                if (buffer.type() == Tensor.DType.INT32) {
                    p.addInts(WORK, name, buffer.elements()); // a max-pool's indices
                } else {
                    p.add(WORK, name, buffer.elements());
                }
            }
        }
        // Network: the workspace its convolutions share (their windows and products), when it has any.
        long workspace = spec.workspace(maxRows);
        if (workspace > 0) {
            p.add(WORK, "convolution workspace", workspace);
        }
        // Trainer: the gathered batch, the epoch's order and losses, evaluation losses and predictions.
        p.add(WORK, "batch features", b * d);
        p.addInts(WORK, "batch labels", b);
        if (mse) {
            p.add(WORK, "batch targets", b * classes);
        }
        p.addInts(WORK, "permutation", n);
        p.add(WORK, "step losses and divergence flag", (n + b - 1) / b + 1);
        // Evaluator, one per evaluated set: its chunks' mean losses and its predictions.
        for (Object[] set : new Object[][]{{"validation", validation}, {"test", test}}) {
            Dataset data = (Dataset) set[1];
            if (data != null) {
                long chunk = Math.min(maxRows, data.size());
                p.add(WORK, set[0] + " chunk losses", (data.size() + chunk - 1) / chunk);
                p.addInts(WORK, set[0] + " predictions", data.size());
            }
        }
        try {
            // Each buffer's elements are exact (products of two ints); their bytes and totals might not be.
            p.totalBytes(MemoryLimits.Kind.JAVA_HEAP); // the larger of the two kinds' byte counts
        } catch (ArithmeticException e) {
            throw new UserError("too large: training the network " + spec.describe() + " at batch " + b
                    + " would need more than 2^63 bytes; " + SMALLER);
        }
        return p;
    }

    /** A buffer of {@code elements} floats. */
    private void add(String group, String name, long elements) {
        buffers.add(new Buffer(group, name, elements, false));
    }

    /** A buffer of {@code elements} ints (labels, indices, predictions). */
    private void addInts(String group, String name, long elements) {
        buffers.add(new Buffer(group, name, elements, true));
    }

    public List<Buffer> buffers() {
        return List.copyOf(buffers);
    }

    /** Bytes on a device, all buffers together. */
    public long totalBytes() {
        return totalBytes(MemoryLimits.Kind.DEVICE);
    }

    /** Bytes in memory of {@code kind}, all buffers together. */
    public long totalBytes(MemoryLimits.Kind kind) {
        long t = 0;
        for (Buffer b : buffers) {
            t = Math.addExact(t, b.bytesOn(kind));
        }
        return t;
    }

    /** Bytes on a device per group, in the order the groups first appear. */
    public Map<String, Long> byGroup() {
        return byGroup(MemoryLimits.Kind.DEVICE);
    }

    /** Bytes in memory of {@code kind} per group, in the order the groups first appear. */
    public Map<String, Long> byGroup(MemoryLimits.Kind kind) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Buffer b : buffers) {
            out.merge(b.group(), b.bytesOn(kind), Long::sum);
        }
        return out;
    }

    /**
     * Throws a {@link UserError} with the sizes needed and available if the buffers cannot fit. First a
     * buffer with more elements than the backend's buffers hold: no device and no heap lifts that limit, so
     * it is the one to name when several are passed. Then the total above the memory (a device's, or the
     * CPU path's maximum heap), then one buffer above a device's largest allocation.
     *
     * <p>On the CPU path the heap check is a hard refusal only when the plan exceeds the heap's maximum,
     * which it certainly cannot fit in; what is free below that maximum is not compared, since the heap in
     * use includes garbage the collector would reclaim. A run that passes but then runs out is refused
     * when the allocation fails ({@code CpuBackend.allocate} turns the OutOfMemoryError into the same kind
     * of message).
     */
    public void check(MemoryLimits limits) {
        MemoryLimits.Kind kind = limits.kind();
        Buffer widest = buffers.stream().max((x, y) -> Long.compare(x.elements(), y.elements())).orElseThrow();
        if (widest.elements() > kind.maxElements) {
            throw new UserError(kind.tooLarge("the " + widest.name(), widest.elements(), widest.ints())
                    + "; training needs " + sized(totalBytes(kind))
                    + (kind == MemoryLimits.Kind.JAVA_HEAP ? " of Java heap" : "") + " in all; " + SMALLER);
        }
        long total = totalBytes(kind);
        if (total > limits.globalBytes()) {
            List<String> parts = new ArrayList<>();
            byGroup(kind).forEach((group, bytes) -> parts.add(group + " " + format(bytes)));
            if (kind == MemoryLimits.Kind.JAVA_HEAP) {
                throw new UserError("not enough memory: training on the CPU path needs " + sized(total)
                        + " of Java heap for " + String.join(", ", parts) + " (floats held as doubles), but "
                        + "the JVM's heap holds at most " + sized(limits.globalBytes()) + " (" + limits.source()
                        + "; bin/clprop passes CLPROP_JAVA_OPTS to java); " + HEAP_REMEDY + " (above "
                        + format(total) + ") if the machine has the memory");
            }
            throw new UserError("not enough device memory: training needs " + sized(total) + " for "
                    + String.join(", ", parts) + ", but " + limits.device() + " has " + sized(limits.globalBytes())
                    + " of global memory (CL_DEVICE_GLOBAL_MEM_SIZE, " + limits.source() + "); " + REMEDY);
        }
        Buffer largest = buffers.stream().max((x, y) -> Long.compare(x.bytesOn(kind), y.bytesOn(kind))).orElseThrow();
        if (largest.bytesOn(kind) > limits.maxAllocBytes()) {
            throw new UserError("not enough device memory: the " + largest.name() + " need one buffer of "
                    + sized(largest.bytesOn(kind)) + " but " + limits.device() + " allows at most "
                    + sized(limits.maxAllocBytes()) + " per buffer (CL_DEVICE_MAX_MEM_ALLOC_SIZE, " + limits.source()
                    + "); " + REMEDY);
        }
    }

    private static final String FEWER = "use fewer samples (" + setting("trainLimit") + ", " + setting("testLimit")
            + "), a smaller " + setting("batchSize") + " or " + setting("hidden");

    private static final String REMEDY = FEWER + ", a device with more memory, or " + setting("device") + " cpu";

    private static final String SMALLER = "use a smaller " + setting("hidden") + " or " + setting("batchSize");

    /** -Xmx is the JVM's option, not one of clprop's settings. */
    private static final String HEAP_REMEDY = FEWER + ", or a larger -Xmx";

    /** "1.5 MiB (1572864 bytes)": readable, and exact where two sizes are close. */
    public static String sized(long bytes) {
        return bytes < 1024 ? bytes + " bytes" : format(bytes) + " (" + bytes + " bytes)";
    }
}
