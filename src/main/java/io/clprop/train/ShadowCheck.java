package io.clprop.train;

import io.clprop.backend.DropoutMask;
import io.clprop.data.Dataset;
import io.clprop.nn.NetworkSpec;
import io.clprop.nn.optim.OptimizerConfig;
import io.clprop.verify.CheckFailure;
import io.clprop.verify.Comparison;
import io.clprop.verify.StepReplay;

import java.util.List;

/**
 * The trainer's check of every n-th device step: the step replayed on the CPU path ({@link StepReplay}) on
 * the same batch, taken from the host's copy of the data, a failure beyond tolerance stopping training with
 * the step and tensor named, and a summary of the checked steps for the epoch's metrics.
 * Only the checked steps pay for it (a few reads from the device and a CPU step); with checking off the
 * trainer never calls it.
 */
final class ShadowCheck implements AutoCloseable {
    private final Dataset data;
    private final StepReplay replay;
    private ShadowCheckSummary summary;

    ShadowCheck(NetworkSpec spec, Dataset data, int batch, OptimizerConfig optimizerConfig, boolean dropout) {
        this.data = data;
        this.replay = new StepReplay(spec, batch, optimizerConfig, dropout);
        this.summary = ShadowCheckSummary.none(replay.tolerance());
    }

    /**
     * @param rows        the data set rows of the batch, in batch order
     * @param mask        the step's dropout mask (null: no dropout)
     * @param before      the device's parameters before the step
     * @param stateBefore the device's optimizer state before the step; {@code stepsBefore} its step count
     * @param rate        the step's learning rate
     * @param deviceGrads the device's gradients of the step
     * @param after       the device's parameters after the update
     * @throws CheckFailure naming the step and tensor when a difference is beyond tolerance
     */
    void check(int epoch, long step, int[] rows, DropoutMask mask, float[] before, List<float[]> stateBefore, long stepsBefore,
               float rate, float[] deviceGrads, float[] after) {
        int n = rows.length;
        int d = data.featureCount();
        float[] xs = new float[n * d];
        int[] ys = new int[n];
        for (int r = 0; r < n; r++) {
            System.arraycopy(data.features(), rows[r] * d, xs, r * d, d);
            ys[r] = data.labels()[rows[r]];
        }
        Comparison worst = Comparison.worst(replay.compare(xs, ys, mask,
                new StepReplay.DeviceStep(before, stateBefore, stepsBefore, rate, deviceGrads, after)));
        summary = summary.with(worst);
        if (!worst.passed()) {
            String tensor = (worst.what().equals(StepReplay.GRADIENT) ? "gradient of " : "") + worst.where();
            throw new CheckFailure(String.format("shadow check at epoch %d step %d: %s differs from the CPU path by "
                    + "%.3e (max |Δ| %.3e over max |w| %.3e), tolerance %.3e", epoch, step, tensor,
                    worst.maxRel(), worst.maxAbs(), worst.scale(), worst.tolerance()));
        }
    }

    /** The summary of the steps checked since the last call; starts a new one. */
    ShadowCheckSummary takeSummary() {
        ShadowCheckSummary s = summary;
        summary = ShadowCheckSummary.none(replay.tolerance());
        return s;
    }

    @Override
    public void close() {
        replay.close();
    }
}
