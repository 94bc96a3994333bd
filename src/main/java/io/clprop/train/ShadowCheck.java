package io.clprop.train;

import io.clprop.backend.Tensor;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.data.Dataset;
import io.clprop.backend.DropoutMask;
import io.clprop.nn.LossKind;
import io.clprop.nn.Network;
import io.clprop.nn.NetworkSpec;
import io.clprop.nn.optim.Optimizer;
import io.clprop.nn.optim.OptimizerConfig;
import io.clprop.verify.CheckFailure;
import io.clprop.verify.ParameterDiff;

import java.util.ArrayList;
import java.util.List;

/**
 * Replays a training step on the CPU path: from the device's weights before the step, on the same batch
 * (taken from the host's copy of the data), and compares the device's gradients with the replay's; then
 * applies the optimizer on the CPU to the device's own gradients and optimizer state and compares the
 * updated weights, per tensor, against {@link ParameterDiff#stepTolerance}. The update is replayed from
 * the device's gradients, not the CPU's, because Adam divides by √s: where a gradient element is near
 * zero, rounding-level differences in it are amplified up to η, and would fail a correct device. The
 * gradient comparison covers the backward pass, the update comparison the optimizer kernel.
 * With dropout the replay draws the step's mask from the same hash of the same step number, so it drops
 * the same units without the mask crossing from the device.
 * Only the checked steps pay for it (a few reads from the device and a CPU step); with checking off the
 * trainer never calls it.
 */
final class ShadowCheck implements AutoCloseable {
    private final NetworkSpec spec;
    private final Dataset data;
    private final CpuBackend cpu = new CpuBackend();
    private final Network net;
    private final Optimizer optimizer;
    private final Tensor x;
    private final Tensor labels;
    private final Tensor targets;
    private final Tensor loss;
    private final double tolerance;
    private int steps;
    private double maxRel;

    ShadowCheck(NetworkSpec spec, Dataset data, int batch, OptimizerConfig optimizerConfig, boolean dropout) {
        this.spec = spec;
        this.data = data;
        this.net = new Network(cpu, spec, batch, dropout ? batch : 0);
        this.optimizer = optimizerConfig.create(cpu, net.parameterBuffer().size());
        this.x = cpu.allocate(batch, spec.inputs());
        this.labels = cpu.allocateInt(batch);
        this.targets = spec.loss() == LossKind.MSE ? cpu.allocate(batch, spec.outputs()) : null;
        this.loss = cpu.allocate(1, 1);
        this.tolerance = ParameterDiff.stepTolerance(spec, batch);
    }

    double tolerance() {
        return tolerance;
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
        cpu.write(x.firstRows(n), xs);
        cpu.writeInt(labels.firstRows(n), ys);
        Tensor t = null;
        if (targets != null) {
            float[] ts = new float[n * spec.outputs()];
            for (int r = 0; r < n; r++) {
                ts[r * spec.outputs() + ys[r]] = 1;
            }
            t = targets.firstRows(n);
            cpu.write(t, ts);
        }
        net.setParameters(before);
        net.computeGradients(x.firstRows(n), labels.firstRows(n), t, loss, 0, mask);
        float[] grads = net.gradients();
        net.setGradients(deviceGrads);
        for (int i = 0; i < stateBefore.size(); i++) {
            cpu.write(optimizer.state().get(i), stateBefore.get(i));
        }
        optimizer.setSteps(stepsBefore);
        optimizer.step(net, rate);
        float[] updated = net.parameters();

        List<ParameterDiff> diffs = new ArrayList<>();
        for (ParameterDiff g : ParameterDiff.perTensor(spec, deviceGrads, grads)) {
            diffs.add(new ParameterDiff("gradient of " + g.tensor(), g.maxAbs(), g.scale()));
        }
        diffs.addAll(ParameterDiff.perTensor(spec, after, updated));
        ParameterDiff worst = ParameterDiff.worst(diffs);
        steps++;
        maxRel = Math.max(maxRel, worst.relative());
        if (!(worst.relative() <= tolerance)) {
            throw new CheckFailure(String.format("shadow check at epoch %d step %d: %s differs from the CPU path by "
                    + "%.3e (max |Δ| %.3e over max |w| %.3e), tolerance %.3e", epoch, step, worst.tensor(),
                    worst.relative(), worst.maxAbs(), worst.scale(), tolerance));
        }
    }

    /** Steps checked and the worst relative difference since the last call; resets both. */
    CheckStats takeStats() {
        CheckStats s = new CheckStats(steps, maxRel, tolerance);
        steps = 0;
        maxRel = 0;
        return s;
    }

    @Override
    public void close() {
        cpu.close();
    }
}
