package io.clprop.train;

import io.clprop.SyntheticData;
import io.clprop.TestDevices;
import io.clprop.backend.Backend;
import io.clprop.backend.opencl.GemmConfig;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.data.Dataset;
import io.clprop.backend.Activation;
import io.clprop.nn.Init;
import io.clprop.nn.LossKind;
import io.clprop.nn.optim.OptimizerConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole step (gather, forward, loss, backward, update) on the device and on the CPU path side by side:
 * same initial weights, same batches, 50 steps, then the weights compared.
 *
 * <p>Tolerance: each step's gradients differ by rounding only (the kernel cross-check bounds them at a few
 * units of K·u relative to Σ|a||b|), and training propagates those differences through 50 updates of
 * η·gradient. Measured on PoCL, the largest difference after 50 steps is 1.3e-7 to 3.5e-7 of the largest
 * weight for the relu, sigmoid, tanh and leaky-relu pairs, and up to 3.2e-6 for the exp-based elu and
 * softplus with softmax-CE (elu 3.2e-6, softplus 1.5e-6: the device's exp/expm1/log1p and Java's differ by
 * an ulp here and there, and 50 steps at η = 0.5 amplify that), printed by the test; the bound 1e-4 · max|w|
 * leaves a factor 30 or more for other devices' rounding (fused multiply-add, other summation orders) while
 * a wrong kernel moves weights by 1e-2 or more.
 */
class TrainingCrossCheckTest {
    static final double TOLERANCE = 1e-4;

    static Stream<Arguments> pairs() {
        return Activation.HIDDEN.stream()
                .flatMap(f -> Stream.of(LossKind.values()).map(l -> Arguments.of(f, l)));
    }

    @ParameterizedTest(name = "{0} + {1}")
    @MethodSource("pairs")
    void deviceAndHostAgreeAfter50Steps(Activation f, LossKind loss) {
        // 1600 samples at batch 32 is exactly 50 steps; widths are primes / non-multiples of the gemm block.
        Dataset data = SyntheticData.blobs(1600, 61, 7, 0.3, 11);
        TrainConfig config = new TrainConfig(new int[]{37, 19}, f, loss, 0.5f, 32, 1, 0, 5, Init.AUTO);
        compare(f.specName() + "/" + loss.specName, config, data);
    }

    /**
     * The same for each optimizer (ReLU, softmax-CE, with weight decay). Adam's step divides by √s, so where
     * a gradient element is at rounding level its sign can differ between device and host and the step with
     * it (up to η per element); the measured worst after 50 steps is printed, and the bound stays 1e-4·max|w|.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void deviceAndHostAgreeWithEachOptimizer(OptimizerConfig.Kind kind) {
        Dataset data = SyntheticData.blobs(1600, 61, 7, 0.3, 11);
        float lr = kind == OptimizerConfig.Kind.ADAM ? 0.01f : 0.1f;
        TrainConfig config = TrainConfig.builder().hidden(37, 19).learningRate(lr).batch(32).epochs(2).seed(5)
                .optimizer(OptimizerConfig.of(kind).withWeightDecay(1e-3f)).schedule(new LrSchedule.Cosine()).build();
        compare(kind.specName, config, data);
    }

    /**
     * With dropout 0.3 on both hidden layers: the device and the CPU path draw each step's mask from the same
     * hash of (seed, step, layer, element), so they drop the same units and the weights agree as without
     * dropout (measured ratio printed).
     */
    @ParameterizedTest(name = "dropout 0.3 {0} + {1}")
    @MethodSource("pairs")
    void deviceAndHostAgreeWithDropout(Activation f, LossKind loss) {
        Dataset data = SyntheticData.blobs(1600, 61, 7, 0.3, 11);
        TrainConfig config = new TrainConfig(new int[]{37, 19}, f, loss, 0.5f, 32, 1, 0, 5, Init.AUTO).toBuilder()
                .dropout(0.3).build();
        compare("dropout 0.3 " + f.specName() + "/" + loss.specName, config, data);
    }

    static Stream<OptimizerConfig.Kind> optimizers() {
        return Stream.of(OptimizerConfig.Kind.values());
    }

    /**
     * The same 50 steps with the products from gemm_tiled.cl (the GPU default tile and a small one with many
     * edge tiles), for a ReLU + softmax-CE and a sigmoid + squared-error network: every fused product of
     * training (dense_forward, dense_backward_input, dense_backward_weights with db) runs tiled. Measured on
     * PoCL: 8.8e-7 · max|w| (ReLU, both tiles: they sum k in the same order) and 1.4e-7 (sigmoid).
     */
    @ParameterizedTest(name = "{0} {1} + {2}")
    @MethodSource("tiledCases")
    void deviceAndHostAgreeWithTiledKernels(GemmConfig gemm, Activation f, LossKind loss) {
        Dataset data = SyntheticData.blobs(1600, 61, 7, 0.3, 11);
        TrainConfig config = new TrainConfig(new int[]{37, 19}, f, loss, 0.5f, 32, 1, 0, 5, Init.AUTO);
        compare(gemm.buildOptions() + " " + f.specName() + "/" + loss.specName, config, data, gemm);
    }

    static Stream<Arguments> tiledCases() {
        GemmConfig small = GemmConfig.tiled(16, 16, 8, 2, 2);
        return Stream.of(Arguments.of(GemmConfig.GPU_DEFAULT, Activation.RELU, LossKind.SOFTMAX_CE),
                Arguments.of(small, Activation.RELU, LossKind.SOFTMAX_CE),
                Arguments.of(small, Activation.SIGMOID, LossKind.MSE));
    }

    private static void compare(String name, TrainConfig config, Dataset data) {
        compare(name, config, data, null);
    }

    private static void compare(String name, TrainConfig config, Dataset data, GemmConfig gemm) {
        float[] dev;
        float[] host;
        try (Backend device = gemm == null ? TestDevices.openCl() : TestDevices.openCl(gemm); Trainer t = new Trainer(device, config, data, null)) {
            assertTrue(t.stepsPerEpoch() == 50);
            t.fit(m -> { });
            dev = t.network().parameters();
        }
        try (Backend cpu = new CpuBackend(); Trainer t = new Trainer(cpu, config, data, null)) {
            t.fit(m -> { });
            host = t.network().parameters();
        }
        double maxDiff = 0, maxW = 0;
        for (int i = 0; i < dev.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(dev[i] - host[i]));
            maxW = Math.max(maxW, Math.abs(host[i]));
        }
        System.out.printf("whole-step %s: max |w_dev − w_cpu| = %.3e, max |w| = %.3f, ratio %.3e%n",
                name, maxDiff, maxW, maxDiff / maxW);
        assertTrue(maxDiff <= TOLERANCE * maxW, "max diff " + maxDiff + " > " + TOLERANCE + " · " + maxW);
    }
}
