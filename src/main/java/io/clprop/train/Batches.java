package io.clprop.train;

import io.clprop.backend.Backend;
import io.clprop.backend.Tensor;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.util.MathArrays;

import java.util.Arrays;

/**
 * An epoch's mini-batches: the training samples in a shuffled order, uploaded once per epoch, cut into steps
 * of {@code batchSize} rows (the last step takes what is left). A step's rows are gathered on the device
 * from the training set into buffers of one batch, so a step uploads nothing.
 */
final class Batches implements AutoCloseable {
    private final Backend backend;
    private final DeviceDataset train;
    private final int batchSize;
    /** The batch order on the host (shuffled here, kept by checkpoints) and on the device (the gather's indices). */
    private final int[] order;
    private final Tensor deviceOrder;
    private final Tensor x;
    private final Tensor labels;
    /** Null unless the loss takes one-hot targets. */
    private final Tensor targets;

    /** One step's rows on the device: views of the first rows of the batch buffers. */
    record Batch(Tensor x, Tensor labels, Tensor targets) {
    }

    Batches(Backend backend, DeviceDataset train, int batchSize) {
        this.backend = backend;
        this.train = train;
        this.batchSize = batchSize;
        this.order = new int[train.size];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        this.x = backend.allocate(batchSize, train.features.cols());
        this.labels = backend.allocateInt(batchSize);
        this.targets = train.hasTargets() ? backend.allocate(batchSize, train.targets.cols()) : null;
        this.deviceOrder = backend.allocateInt(train.size);
    }

    int steps() {
        return (train.size + batchSize - 1) / batchSize;
    }

    /** Rows of step {@code step}: the batch size, except for a smaller last step. */
    int rows(int step) {
        return Math.min(batchSize, train.size - step * batchSize);
    }

    /** A new batch order from {@code rng}, uploaded (one write) for the epoch. */
    void shuffle(RandomGenerator rng) {
        MathArrays.shuffle(order, rng);
        backend.writeInt(deviceOrder, order);
    }

    /**
     * The order of another replica's {@link #shuffle} (a device training on a share of the same batches),
     * uploaded (one write) for the epoch.
     */
    void useOrder(int[] shuffled) {
        System.arraycopy(shuffled, 0, order, 0, order.length);
        backend.writeInt(deviceOrder, order);
    }

    /** Gathers step {@code step}'s rows of the training set into the batch buffers, on the device. */
    Batch gather(int step) {
        return gather(step, 0, rows(step));
    }

    /**
     * Gathers rows {@code first} to {@code first + rows} of step {@code step}'s batch (one device's share of
     * it, see {@link BatchSplit}) into the first rows of the batch buffers.
     */
    Batch gather(int step, int first, int rows) {
        if (first < 0 || rows < 1 || first + rows > rows(step)) {
            throw new IllegalArgumentException("rows " + first + "+" + rows + " of a step of " + rows(step));
        }
        return gatherAt(step * batchSize + first, rows);
    }

    /**
     * Gathers the {@code rows} samples at positions {@code start}… of the order uploaded last into the first
     * rows of the batch buffers: for an order whose steps are not all {@code batchSize} long (a cluster
     * shard's rows of each global batch, {@link ShardTrainer}).
     */
    Batch gatherAt(int start, int rows) {
        if (start < 0 || rows < 1 || rows > batchSize || start + rows > order.length) {
            throw new IllegalArgumentException("rows " + start + "+" + rows + " of an order of " + order.length
                    + " in batches of " + batchSize);
        }
        Tensor bx = x.firstRows(rows);
        Tensor bl = labels.firstRows(rows);
        backend.gatherRows(train.features, deviceOrder, start, bx);
        backend.gatherRows(train.labels, deviceOrder, start, bl);
        Tensor bt = null;
        if (targets != null) {
            bt = targets.firstRows(rows);
            backend.gatherRows(train.targets, deviceOrder, start, bt);
        }
        return new Batch(bx, bl, bt);
    }

    /** The training samples of step {@code step}, in batch order (what the CPU replay gathers on the host). */
    int[] samples(int step) {
        int start = step * batchSize;
        return Arrays.copyOfRange(order, start, start + rows(step));
    }

    /** The mean over the training samples of a per-step value (each step weighted by its rows): the epoch's loss. */
    double meanOverSamples(float[] perStep) {
        double sum = 0;
        for (int s = 0; s < perStep.length; s++) {
            sum += (double) perStep[s] * rows(s);
        }
        return sum / train.size;
    }

    /** The last order shuffled, for a checkpoint. */
    int[] order() {
        return order.clone();
    }

    /**
     * Continues from a checkpoint's order (checked to be a permutation of the samples before it comes here):
     * the order the next epoch's shuffle permutes, as it would have in the run that wrote it.
     */
    void restore(int[] saved) {
        System.arraycopy(saved, 0, order, 0, order.length);
    }

    @Override
    public void close() {
        backend.free(x);
        backend.free(labels);
        if (targets != null) {
            backend.free(targets);
        }
        backend.free(deviceOrder);
    }
}
