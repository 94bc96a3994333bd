package io.clprop.train;

import io.clprop.backend.Backend;
import io.clprop.data.Dataset;
import io.clprop.nn.Network;
import io.clprop.nn.NetworkSpec;
import io.clprop.nn.optim.Optimizer;

/**
 * One device's copy of a training run: the network and optimizer state, the whole training set (resident,
 * uploaded once, so any share of any batch can be gathered there), the batch buffers and the epoch's losses.
 * A run on one device has one replica; data-parallel training has one per device, all holding the same
 * weights, each computing the gradients of its share of every batch ({@link BatchSplit}); only the first,
 * which applies the updates, has an optimizer.
 */
final class Replica implements AutoCloseable {
    final Backend backend;
    final Network network;
    /** Null but on the first device. */
    final Optimizer optimizer;
    final DeviceDataset train;
    final Batches batches;
    final StepLosses stepLosses;

    /**
     * @param maxRows     the rows the network's buffers hold (the batch, or more where evaluation shares them)
     * @param dropoutRows rows of the dropped-output buffers (0: no dropout)
     * @param updates     whether this device applies the updates (keeps the optimizer state)
     */
    Replica(Backend backend, NetworkSpec spec, TrainConfig config, Dataset trainData, int maxRows, int dropoutRows,
            boolean mse, boolean updates) {
        this.backend = backend;
        Network net = null;
        Optimizer opt = null;
        DeviceDataset data = null;
        Batches b = null;
        try {
            net = new Network(backend, spec, maxRows, dropoutRows);
            opt = updates ? config.optimizer().create(backend, net.parameterBuffer().size()) : null;
            data = new DeviceDataset(backend, trainData, mse);
            b = new Batches(backend, data, config.batchSize());
            this.stepLosses = new StepLosses(backend, b.steps());
        } catch (RuntimeException e) {
            closeAll(b, data, opt, net);
            throw e;
        }
        this.network = net;
        this.optimizer = opt;
        this.train = data;
        this.batches = b;
    }

    private static void closeAll(AutoCloseable... parts) {
        for (AutoCloseable p : parts) {
            if (p != null) {
                try {
                    p.close();
                } catch (Exception ignored) {
                    // already failing: the first error is the one reported
                }
            }
        }
    }

    @Override
    public void close() {
        if (optimizer != null) {
            optimizer.close();
        }
        network.close();
        train.close();
        batches.close();
        stepLosses.close();
    }
}
