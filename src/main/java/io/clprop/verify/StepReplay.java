package io.clprop.verify;

import io.clprop.nn.Conv2dSpec;
import io.clprop.nn.LayerSpec;

import io.clprop.backend.DropoutMask;
import io.clprop.backend.Tensor;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.nn.LossKind;
import io.clprop.nn.Network;
import io.clprop.nn.NetworkSpec;
import io.clprop.nn.optim.Optimizer;
import io.clprop.nn.optim.OptimizerConfig;

import java.util.ArrayList;
import java.util.List;

/**
 * Replays a device's training step on the CPU path and compares: from the device's weights before the step,
 * on the same batch, the CPU's gradients against the device's; then the optimizer applied on the CPU to the
 * device's own gradients and optimizer state, and the updated weights against the device's, per tensor
 * against {@link #tolerance(NetworkSpec, int)}. The update is replayed from the device's gradients, not the
 * CPU's, because Adam divides by √s: where a gradient element is near zero, rounding-level differences in it
 * are amplified up to η, and would fail a correct device. The gradient comparison covers the forward and
 * backward pass, the update comparison the optimizer kernel.
 * With dropout the caller passes the step's mask, drawn from the same hash of the same step number as the
 * device's, so the replay drops the same units without the mask crossing from the device.
 *
 * <p>Tolerance for one training step in float32: every gradient element is a sum of at most K products, with
 * K the largest of the input width, the layer widths and the batch size (for a convolution also its window's
 * C_in·k² and the batch's windows B·OH·OW, over which its filters' gradient sums), whose error is ≤ (K+2)·u relative to
 * Σ|terms| (u = 2⁻²⁴); L layers compound that at most L times. Measured against the tensor's largest element
 * instead of Σ|terms| (which cancellation can make larger), a factor 8 is allowed on top: tol = 8·L·(K+2)·u.
 * For the default network (K = 784, L = 3) that is 1.1e-3; a wrong kernel gives differences of order 1.
 */
public final class StepReplay implements AutoCloseable {
    /** The {@code what} of the gradient comparisons. */
    public static final String GRADIENT = "gradient";
    /** The {@code what} of the comparisons of the weights after the update. */
    public static final String UPDATED = "updated parameter";

    /**
     * What the device did in one step: its parameters before, its optimizer's state and step count before,
     * the learning rate, and the gradients and parameters it computed.
     */
    public record DeviceStep(float[] before, List<float[]> optimizerState, long optimizerSteps, float rate,
                             float[] gradients, float[] after) {
    }

    private final NetworkSpec spec;
    private final CpuBackend cpu = new CpuBackend();
    private final Network net;
    private final Optimizer optimizer;
    private final Tensor x;
    private final Tensor labels;
    private final Tensor targets;
    private final Tensor loss;
    private final double tolerance;

    /** A replay of steps of up to {@code batch} rows, with dropout on the hidden layers or without. */
    public StepReplay(NetworkSpec spec, int batch, OptimizerConfig optimizerConfig, boolean dropout) {
        this.spec = spec;
        this.net = new Network(cpu, spec, batch, dropout ? batch : 0);
        this.optimizer = optimizerConfig.create(cpu, net.parameterBuffer().size());
        this.x = cpu.allocate(batch, spec.inputs());
        this.labels = cpu.allocateInt(batch);
        this.targets = spec.loss() == LossKind.MSE ? cpu.allocate(batch, spec.outputs()) : null;
        this.loss = cpu.allocate(1, 1);
        this.tolerance = tolerance(spec, batch);
    }

    /** The tolerance of one float32 training step of {@code spec} on {@code batch} rows (see the class comment). */
    public static double tolerance(NetworkSpec spec, int batch) {
        int k = Math.max(spec.inputs(), batch);
        for (LayerSpec l : spec.layers()) {
            k = Math.max(k, l.units());
            if (l instanceof Conv2dSpec c) {
                k = (int) Math.min(Integer.MAX_VALUE, Math.max(k, Math.max((long) batch * c.geometry().outputPixels(),
                        c.geometry().patchSize())));
            }
        }
        return 8.0 * spec.layers().size() * (k + 2) * Comparison.U;
    }

    public double tolerance() {
        return tolerance;
    }

    /**
     * Replays the step on the batch {@code xs} (rows × inputs) with {@code ys} its labels and {@code mask}
     * its dropout mask (null: none): the gradients per tensor, then the updated parameters per tensor.
     */
    public List<Comparison> compare(float[] xs, int[] ys, DropoutMask mask, DeviceStep step) {
        int n = ys.length;
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
        net.setParameters(step.before());
        net.computeGradients(x.firstRows(n), labels.firstRows(n), t, loss, 0, mask);
        float[] grads = net.gradients();
        net.setGradients(step.gradients());
        for (int i = 0; i < step.optimizerState().size(); i++) {
            cpu.write(optimizer.state().get(i), step.optimizerState().get(i));
        }
        optimizer.setSteps(step.optimizerSteps());
        optimizer.step(net, step.rate());
        float[] updated = net.parameters();

        List<Comparison> out = new ArrayList<>();
        List<ParameterTensor> tensors = ParameterTensor.of(spec);
        for (ParameterTensor p : tensors) {
            out.add(Comparison.relativeToLargest(GRADIENT, p.name(), step.gradients(), grads, p.from(), p.to(),
                    tolerance));
        }
        for (ParameterTensor p : tensors) {
            out.add(Comparison.relativeToLargest(UPDATED, p.name(), step.after(), updated, p.from(), p.to(),
                    tolerance));
        }
        return out;
    }

    @Override
    public void close() {
        cpu.close();
    }
}
