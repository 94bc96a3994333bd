package io.clprop.verify;

import io.clprop.backend.Activation;
import io.clprop.backend.Tensor;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.nn.Init;
import io.clprop.nn.LossKind;
import io.clprop.nn.Network;
import io.clprop.nn.NetworkSpec;
import io.clprop.nn.optim.Optimizer;
import io.clprop.nn.optim.OptimizerConfig;
import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replay of a step on the CPU path, with a second CPU backend standing in for the device: a faithful
 * step agrees, and a wrong gradient, a wrong update or optimizer state the replay did not get is caught in
 * the tensor where it is.
 */
class StepReplayTest {
    static final NetworkSpec SPEC = NetworkSpec.mlp(5, new int[]{4}, Activation.TANH, 3, LossKind.SOFTMAX_CE);
    static final int ROWS = 6;
    static final float RATE = 0.01f;

    final float[] xs = new float[ROWS * SPEC.inputs()];
    final int[] ys = new int[ROWS];

    StepReplayTest() {
        Well19937c rng = new Well19937c(3);
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) rng.nextGaussian();
        }
        for (int r = 0; r < ROWS; r++) {
            ys[r] = rng.nextInt(SPEC.outputs());
        }
    }

    /** The second of two steps with {@code config} on the "device", as the trainer records it. */
    private StepReplay.DeviceStep secondStep(OptimizerConfig config) {
        try (CpuBackend device = new CpuBackend(); Network net = new Network(device, SPEC, ROWS);
             Optimizer opt = config.create(device, Math.toIntExact(SPEC.parameterCount()))) {
            net.setParameters(Init.AUTO.parameters(SPEC, new Well19937c(1)));
            Tensor x = device.allocate(ROWS, SPEC.inputs()), y = device.allocateInt(ROWS), loss = device.allocate(1, 1);
            device.write(x, xs);
            device.writeInt(y, ys);
            StepReplay.DeviceStep step = null;
            for (int s = 0; s < 2; s++) {
                float[] before = net.parameters();
                List<float[]> state = new ArrayList<>();
                for (Tensor t : opt.state()) {
                    state.add(device.read(t));
                }
                long steps = opt.steps();
                net.computeGradients(x, y, null, loss, 0);
                opt.step(net, RATE);
                step = new StepReplay.DeviceStep(before, state, steps, RATE, net.gradients(), net.parameters());
            }
            return step;
        }
    }

    private static List<Comparison> replay(StepReplay.DeviceStep step, OptimizerConfig config, float[] xs, int[] ys) {
        try (StepReplay r = new StepReplay(SPEC, ROWS, config, false)) {
            return r.compare(xs, ys, null, step);
        }
    }

    @Test
    void aFaithfulStepAgreesTensorByTensorGradientsFirst() {
        List<Comparison> c = replay(secondStep(OptimizerConfig.adam()), OptimizerConfig.adam(), xs, ys);
        assertEquals(8, c.size());
        for (int i = 0; i < 8; i++) {
            assertEquals(i < 4 ? StepReplay.GRADIENT : StepReplay.UPDATED, c.get(i).what());
            assertEquals(List.of("W1", "b1", "W2", "b2").get(i % 4), c.get(i).where());
            assertEquals(StepReplay.tolerance(SPEC, ROWS), c.get(i).tolerance());
            assertTrue(c.get(i).passed(), c.get(i).row());
        }
    }

    @Test
    void aWrongGradientIsCaughtInItsTensor() {
        StepReplay.DeviceStep s = secondStep(OptimizerConfig.sgd());
        float[] grads = s.gradients().clone();
        grads[grads.length - 1] += 1; // the last element of b2
        List<Comparison> c = replay(new StepReplay.DeviceStep(s.before(), s.optimizerState(), s.optimizerSteps(),
                s.rate(), grads, s.after()), OptimizerConfig.sgd(), xs, ys);
        assertTrue(c.get(0).passed() && c.get(1).passed() && c.get(2).passed());
        assertFalse(c.get(3).passed(), c.get(3).row());
    }

    @Test
    void aWrongUpdateIsCaughtInItsTensor() {
        StepReplay.DeviceStep s = secondStep(OptimizerConfig.sgd());
        float[] after = s.after().clone();
        after[0] += 0.1f; // W1
        List<Comparison> c = replay(new StepReplay.DeviceStep(s.before(), s.optimizerState(), s.optimizerSteps(),
                s.rate(), s.gradients(), after), OptimizerConfig.sgd(), xs, ys);
        assertTrue(c.subList(0, 4).stream().allMatch(Comparison::passed), c.toString());
        assertFalse(c.get(4).passed(), c.get(4).row());
        assertTrue(c.subList(5, 8).stream().allMatch(Comparison::passed), c.toString());
    }

    @Test
    void theUpdateIsReplayedFromTheDevicesOptimizerState() {
        StepReplay.DeviceStep s = secondStep(OptimizerConfig.adam());
        List<float[]> zeros = new ArrayList<>();
        for (float[] t : s.optimizerState()) {
            zeros.add(new float[t.length]);
        }
        List<Comparison> c = replay(new StepReplay.DeviceStep(s.before(), zeros, s.optimizerSteps(), s.rate(),
                s.gradients(), s.after()), OptimizerConfig.adam(), xs, ys);
        assertTrue(c.subList(0, 4).stream().allMatch(Comparison::passed), c.toString());
        assertFalse(c.subList(4, 8).stream().allMatch(Comparison::passed), c.toString());
    }

    @Test
    void aDifferentBatchIsCaughtInTheGradients() {
        int[] other = ys.clone();
        other[0] = (other[0] + 1) % SPEC.outputs();
        List<Comparison> c = replay(secondStep(OptimizerConfig.sgd()), OptimizerConfig.sgd(), xs, other);
        assertFalse(c.subList(0, 4).stream().allMatch(Comparison::passed), c.toString());
    }

    @Test
    void theStepToleranceIsEightLayersTimesTheWidestSumInUnitRoundoffs() {
        NetworkSpec mnist = NetworkSpec.mlp(784, new int[]{256, 128}, Activation.RELU, 10, LossKind.SOFTMAX_CE);
        assertEquals(8.0 * 3 * 786 * Comparison.U, StepReplay.tolerance(mnist, 128));
        assertEquals(8.0 * 3 * 1002 * Comparison.U, StepReplay.tolerance(mnist, 1000)); // the batch is wider
        assertEquals(1.1e-3, StepReplay.tolerance(mnist, 128), 0.05e-3);
    }
}
