package io.clprop.train;

import io.clprop.backend.Backend;
import io.clprop.backend.Tensor;

/**
 * Early stopping's bookkeeping, done once per epoch with a validation set: the lowest validation loss so far,
 * its epoch, and the epochs since. With a patience it also keeps that epoch's weights, copied on the device
 * (nothing is read back), and when patience runs out puts them back into the network and stops the run.
 * Without a patience it only tracks the best epoch, which the run reports.
 */
final class EarlyStopping implements AutoCloseable {
    private final Backend backend;
    /** The network's weights, copied from and restored into. */
    private final Tensor weights;
    private final int patience;
    /** The best epoch's weights; null without a patience. */
    private final Tensor best;
    private double bestLoss = Double.POSITIVE_INFINITY;
    private int bestEpoch;
    private int epochsSinceBest;
    private boolean stopped;

    /** @param patience epochs without a lower validation loss before stopping (0: never stop) */
    EarlyStopping(Backend backend, Tensor weights, int patience) {
        this.backend = backend;
        this.weights = weights;
        this.patience = patience;
        this.best = patience > 0 ? backend.allocate(1, weights.size()) : null;
    }

    /** Epoch {@code epoch} ended with {@code validationLoss}: keep its weights if it is the best so far, else count it. */
    void record(int epoch, double validationLoss) {
        if (validationLoss < bestLoss) {
            bestLoss = validationLoss;
            bestEpoch = epoch;
            epochsSinceBest = 0;
            if (best != null) {
                backend.copy(weights, best);
            }
        } else {
            epochsSinceBest++;
            if (patience > 0 && epochsSinceBest >= patience) {
                backend.copy(best, weights);
                stopped = true;
            }
        }
    }

    /** True once patience has run out; the network then holds the best epoch's weights. */
    boolean stopped() {
        return stopped;
    }

    /** The epoch with the lowest validation loss so far (0: none recorded). */
    int bestEpoch() {
        return bestEpoch;
    }

    /** The lowest validation loss so far (infinite: none recorded). */
    double bestLoss() {
        return bestLoss;
    }

    int epochsSinceBest() {
        return epochsSinceBest;
    }

    /** The best epoch's weights, read back for a checkpoint; null without a patience. */
    float[] bestWeights() {
        return best == null ? null : backend.read(best);
    }

    /** Continues from a checkpoint's bookkeeping ({@code bestWeights} null without a patience). */
    void restore(float[] bestWeights, double bestLoss, int bestEpoch, int epochsSinceBest) {
        if (best != null) {
            backend.write(best, bestWeights);
        }
        this.bestLoss = bestLoss;
        this.bestEpoch = bestEpoch;
        this.epochsSinceBest = epochsSinceBest;
        // A run that had stopped early was checkpointed after its best weights were put back.
        this.stopped = patience > 0 && epochsSinceBest >= patience;
    }

    @Override
    public void close() {
        if (best != null) {
            backend.free(best);
        }
    }
}
