package io.clprop.train;

import io.clprop.SyntheticData;
import io.clprop.TestDevices;
import io.clprop.backend.Tensor;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.backend.opencl.OpenClBackend;
import io.clprop.data.Dataset;
import io.clprop.nn.Dropout;
import io.clprop.backend.DropoutMask;
import io.clprop.nn.Network;
import io.clprop.nn.NetworkSpec;
import io.clprop.nn.optim.Optimizer;
import io.clprop.nn.optim.OptimizerConfig;
import io.clprop.verify.CheckFailure;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dropout in the trainer: what runs on the device, and the shadow check's replay of it. */
class DropoutTrainingTest {
    static final Dataset DATA = SyntheticData.blobs(300, 17, 4, 0.5, 3);
    static final TrainConfig CONFIG = TrainConfig.builder().hidden(23, 11).batch(32).epochs(1).seed(4).build();

    private static Map<String, long[]> launches(TrainConfig config) {
        try (OpenClBackend b = TestDevices.openCl(); Trainer t = new Trainer(b, config, DATA, DATA)) {
            b.startProfiling();
            t.fit(m -> { });
            return b.stopProfiling();
        }
    }

    /**
     * Off (P = 0, the default) launches no dropout kernel at all; on, one forward and one backward launch per
     * hidden layer per step, and none in the evaluations (the epoch's test-set pass runs here too).
     */
    @Test
    void kernelsRunOnlyInTrainingStepsAndOnlyWhenOn() {
        TestDevices.openCl().close();
        Map<String, long[]> off = launches(CONFIG);
        assertFalse(off.containsKey("dropout_forward") || off.containsKey("dropout_backward"), off.keySet().toString());
        Map<String, long[]> on = launches(CONFIG.toBuilder().dropout(0.2).build());
        int steps = (DATA.size() + 31) / 32;
        assertEquals(2L * steps, on.get("dropout_forward")[0]);
        assertEquals(2L * steps, on.get("dropout_backward")[0]);
    }

    @Test
    void shadowCheckPassesOnTheDeviceWithDropout() {
        TestDevices.openCl().close();
        try (OpenClBackend b = TestDevices.openCl();
             Trainer t = new Trainer(b, CONFIG.toBuilder().dropout(0.3).epochs(2).checkEvery(4).build(), DATA, null)) {
            List<EpochMetrics> m = t.fit(e -> { });
            for (EpochMetrics e : m) {
                assertTrue(e.check().steps() > 0, "steps checked");
                System.out.printf("shadow check with dropout, epoch %d: %d steps, worst %.3e (tolerance %.3e)%n",
                        e.epoch(), e.check().steps(), e.check().maxRel(), e.check().tolerance());
            }
        }
    }

    /**
     * The replay uses the step's own mask: given the mask of another step it disagrees with a step computed
     * with this one, so the check would catch a device that drew a different mask.
     */
    @Test
    void shadowCheckDetectsAnotherStepsMask() {
        NetworkSpec spec = NetworkSpec.mlp(17, new int[]{23, 11}, io.clprop.backend.Activation.RELU, 4,
                io.clprop.nn.LossKind.SOFTMAX_CE);
        int rows = 32;
        Dropout dropout = new Dropout(0.3, 4);
        DropoutMask mask = dropout.mask(5);
        int[] batch = new int[rows];
        float[] xs = new float[rows * 17];
        int[] ys = new int[rows];
        for (int r = 0; r < rows; r++) {
            batch[r] = r * 7 % DATA.size();
            System.arraycopy(DATA.features(), batch[r] * 17, xs, r * 17, 17);
            ys[r] = DATA.labels()[batch[r]];
        }
        float rate = 0.1f;
        float[] before, grads, after;
        try (CpuBackend device = new CpuBackend(); Network net = new Network(device, spec, rows, rows);
             Optimizer sgd = OptimizerConfig.sgd().create(device, Math.toIntExact(spec.parameterCount()))) {
            before = io.clprop.nn.Init.AUTO.parameters(spec, new org.apache.commons.math3.random.Well19937c(1));
            net.setParameters(before);
            Tensor x = device.allocate(rows, 17), y = device.allocateInt(rows), loss = device.allocate(1, 1);
            device.write(x, xs);
            device.writeInt(y, ys);
            net.computeGradients(x, y, null, loss, 0, mask);
            grads = net.gradients();
            sgd.step(net, rate);
            after = net.parameters();
        }
        try (ShadowCheck check = new ShadowCheck(spec, DATA, rows, OptimizerConfig.sgd(), true)) {
            assertDoesNotThrow(() -> check.check(1, 5, batch, mask, before, List.of(), 0, rate, grads, after));
            CheckFailure f = assertThrows(CheckFailure.class,
                    () -> check.check(1, 5, batch, dropout.mask(6), before, List.of(), 0, rate, grads, after));
            assertTrue(f.getMessage().contains("shadow check at epoch 1 step 5"), f.getMessage());
        }
    }
}
