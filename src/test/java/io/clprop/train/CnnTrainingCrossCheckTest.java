package io.clprop.train;

import io.clprop.SyntheticData;
import io.clprop.TestDevices;
import io.clprop.backend.Backend;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.data.Dataset;
import io.clprop.nn.LayerList;
import io.clprop.nn.LossKind;
import io.clprop.nn.optim.OptimizerConfig;
import io.clprop.util.ImageShape;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A convolutional network's whole step on the device and on the CPU path side by side, as
 * {@link TrainingCrossCheckTest} does for MLPs: same seed, same batches, an epoch of 50 steps, then the
 * epoch's loss and every weight compared. The network has a convolution with padding and a prime channel
 * count, a max-pool, a second convolution after the pool with stride 2 (and padding, on a 4×4 image: an
 * output pixel whose window hangs over the edge), then dense layers; so every image kernel (im2col and its
 * adjoint, the channel transposes, max-pool forward and backward) runs forward and backward in each step.
 *
 * <p>Tolerance: that of the MLP cross-check, 1e-4 · max|w|. The convolutions' products are the same gemm
 * kernels and the window kernels only copy and add, so the device and the host differ by summation order
 * and the exp of softmax/tanh, as for MLPs; the measured ratios (printed) are of the same order as the MLP
 * test's, far from the 1e-2 a wrong index moves weights by.
 */
class CnnTrainingCrossCheckTest {
    static final ImageShape SHAPE = new ImageShape(2, 8, 8);
    static final String LAYERS = "conv:5:3:pad1,relu,maxpool:2,conv:3:3:stride2:pad1,tanh,flatten,dense:7,relu,dense:4";
    static final Dataset ALL = SyntheticData.images(1600 + 1103, SHAPE, 4, 0.3, 11);
    static final Dataset DATA = ALL.head(1600);
    /**
     * Samples of the same classes, above Evaluator.CHUNK_ROWS: evaluated in a chunk of 1000 rows and one of
     * 103, through the shared workspace.
     */
    static final Dataset TEST = ALL.select(java.util.stream.IntStream.range(1600, ALL.size()).toArray());

    static Stream<Arguments> cases() {
        TrainConfig base = TrainConfig.builder().layers(LayerList.parse(LAYERS)).learningRate(0.1).batch(32).epochs(1)
                .seed(5).build();
        return Stream.of(
                Arguments.of("sgd softmax-ce", base),
                Arguments.of("sgd mse", base.toBuilder().loss(LossKind.MSE).learningRate(0.5).build()),
                Arguments.of("dropout 0.3", base.toBuilder().dropout(0.3).build()),
                Arguments.of("adam", base.toBuilder().learningRate(0.01)
                        .optimizer(OptimizerConfig.adam().withWeightDecay(1e-3f)).build()),
                Arguments.of("momentum, maxpool 3 stride 2 pad 1",
                        base.toBuilder().layers(LayerList.parse("conv:3:3:stride2:pad1,relu,maxpool:3:stride2:pad1,"
                                + "conv:5:2,sigmoid,flatten,dense:4")).optimizer(OptimizerConfig.of(OptimizerConfig.Kind.MOMENTUM)).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void deviceAndHostAgreeAfterAnEpoch(String name, TrainConfig config) {
        float[] dev, host;
        double devLoss, hostLoss, devAcc, hostAcc;
        try (Backend device = TestDevices.openCl(); Trainer t = new Trainer(device, config, DATA, TEST)) {
            assertEquals(50, t.stepsPerEpoch());
            assertTrue(!t.spec().isMlp(), t.spec().describe());
            EpochMetrics m = only(t.fit(x -> { }));
            devLoss = m.trainLoss();
            devAcc = m.testAccuracy();
            dev = t.network().parameters();
        }
        try (Backend cpu = new CpuBackend(); Trainer t = new Trainer(cpu, config, DATA, TEST)) {
            EpochMetrics m = only(t.fit(x -> { }));
            hostLoss = m.trainLoss();
            hostAcc = m.testAccuracy();
            host = t.network().parameters();
        }
        double maxDiff = 0, maxW = 0;
        for (int i = 0; i < dev.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(dev[i] - host[i]));
            maxW = Math.max(maxW, Math.abs(host[i]));
        }
        double lossRel = Math.abs(devLoss - hostLoss) / Math.abs(hostLoss);
        System.out.printf("cnn whole-step %s: max |w_dev − w_cpu| = %.3e, max |w| = %.3f, ratio %.3e; "
                + "epoch loss %.6f vs %.6f (rel %.3e); test accuracy %.4f vs %.4f%n", name, maxDiff, maxW,
                maxDiff / maxW, devLoss, hostLoss, lossRel, devAcc, hostAcc);
        assertTrue(maxDiff <= TrainingCrossCheckTest.TOLERANCE * maxW,
                "max diff " + maxDiff + " > " + TrainingCrossCheckTest.TOLERANCE + " · " + maxW);
        assertTrue(lossRel <= TrainingCrossCheckTest.TOLERANCE, "epoch loss " + devLoss + " vs " + hostLoss);
        assertTrue(hostLoss > 0 && Double.isFinite(hostLoss), "loss " + hostLoss);
        // The same weights up to rounding: at most a sample on a decision boundary may change its class.
        assertEquals(hostAcc, devAcc, 1.5 / TEST.size(), "test accuracy");
        assertTrue(hostAcc > 0.5, "it learns: test accuracy " + hostAcc);
    }

    private static EpochMetrics only(List<EpochMetrics> history) {
        assertEquals(1, history.size());
        return history.get(0);
    }
}
