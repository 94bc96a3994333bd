package io.clprop.train;

import io.clprop.backend.Backend;
import io.clprop.backend.Tensor;
import io.clprop.data.Dataset;

/**
 * A data set uploaded to the backend once: features (n × d), labels (int) and, for MSE, one-hot targets
 * (n × classes). Batches are gathered from these on the device, so a step uploads nothing.
 */
public final class DeviceDataset implements AutoCloseable {
    final Backend backend;
    final int size;
    final Tensor features;
    final Tensor labels;
    /** The labels as given, for scoring predictions without reading them back. */
    final int[] hostLabels;
    /** Null unless the loss needs target rows. */
    final Tensor targets;

    /** @param withTargets also upload one-hot target rows (needed by MSE, for training and evaluation) */
    public DeviceDataset(Backend backend, Dataset data, boolean withTargets) {
        this.backend = backend;
        this.size = data.size();
        this.features = backend.allocate(data.size(), data.featureCount());
        this.labels = backend.allocateInt(data.size());
        this.hostLabels = data.labels();
        backend.write(features, data.features());
        backend.writeInt(labels, data.labels());
        if (withTargets) {
            targets = backend.allocate(data.size(), data.numClasses());
            backend.write(targets, data.oneHotTargets());
        } else {
            targets = null;
        }
    }

    public int size() {
        return size;
    }

    /** The host's copy of the labels (shared with the Dataset: do not modify). */
    public int[] hostLabels() {
        return hostLabels;
    }

    public boolean hasTargets() {
        return targets != null;
    }

    @Override
    public void close() {
        backend.free(features);
        backend.free(labels);
        if (targets != null) {
            backend.free(targets);
        }
    }
}
