package io.clprop.train;

import io.clprop.SyntheticData;
import io.clprop.backend.Backend;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.data.Dataset;
import io.clprop.backend.Activation;
import io.clprop.nn.LayerList;
import io.clprop.nn.LossKind;
import io.clprop.nn.optim.OptimizerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Synchronous data parallelism on the CPU path, where it is quick and independent of any driver: N copies of
 * the CPU backend as N "devices" against one, 50 steps, the weights compared. Each device computes the mean
 * gradient of its rows and the sum weights it by its rows over the batch's, so the result is the whole
 * batch's mean up to rounding (a mean over fewer rows, then a weighted sum, instead of one mean).
 *
 * <p>Tolerance: the training cross-check's, 1e-4 · max|w| ({@link TrainingCrossCheckTest}); the measured
 * ratios are printed (rounding-level, about 1e-7, for every case here). A lost or doubled share, a dropout
 * mask not shifted to the share's rows, or a wrong weight moves the weights by 1e-2 or more.
 */
class DataParallelTrainingTest {
    static final double TOLERANCE = TrainingCrossCheckTest.TOLERANCE;
    static final Dataset BLOBS = SyntheticData.blobs(1600, 61, 7, 0.3, 11);
    static final TrainConfig MLP = TrainConfig.builder().hidden(37, 19).learningRate(0.5).batch(32).epochs(1).seed(5)
            .build();

    static Stream<Arguments> cases() {
        Dataset images = CnnTrainingCrossCheckTest.DATA;
        return Stream.of(
                Arguments.of("relu softmax-ce, 2 devices", MLP, BLOBS, 2),
                Arguments.of("sigmoid mse, 3 devices (32 = 11 + 10 + 11)", MLP.toBuilder().activation(Activation.SIGMOID)
                        .loss(LossKind.MSE).build(), BLOBS, 3),
                Arguments.of("dropout 0.3, 2 devices", MLP.toBuilder().dropout(0.3).build(), BLOBS, 2),
                Arguments.of("adam, cosine, batch 37 (last step 9 rows), 4 devices", MLP.toBuilder().learningRate(0.01)
                        .batch(37).optimizer(OptimizerConfig.adam().withWeightDecay(1e-3f))
                        .schedule(new LrSchedule.Cosine()).build(), BLOBS, 4),
                Arguments.of("cnn with dropout, 2 devices", TrainConfig.builder()
                        .layers(LayerList.parse(CnnTrainingCrossCheckTest.LAYERS)).learningRate(0.1).batch(32).epochs(1)
                        .seed(5).dropout(0.3).build(), images, 2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void nDevicesGiveTheWeightsOfOneAfter50Steps(String name, TrainConfig config, Dataset data, int devices) {
        float[] one = train(List.of(new CpuBackend()), config, data);
        List<Backend> many = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            many.add(new CpuBackend());
        }
        float[] split = train(many, config, data);
        assertClose(name, one, split);
    }

    @Test
    void everyDeviceHoldsTheSameWeightsAfterEachEpoch() {
        List<Backend> many = List.of(new CpuBackend(), new CpuBackend(), new CpuBackend());
        try (Trainer t = new Trainer(many, BatchSplit.even(3), MLP.toBuilder().epochs(2).build(), BLOBS, null)) {
            for (int e = 0; e < 2; e++) {
                t.trainEpoch();
                for (int r = 1; r < 3; r++) {
                    assertArrayEquals(t.weightsOnDevice(0), t.weightsOnDevice(r), "device " + r + " after epoch " + (e + 1));
                }
            }
        } finally {
            many.forEach(Backend::close);
        }
    }

    @Test
    void aDeviceWithNoRowsInTheLastStepSitsItOut() {
        // 1601 samples at batch 32: the last step has 1 row, which the first of three devices takes alone; the
        // others' stale gradients must not enter the sum (weight 0), and the epoch loss is the one device's.
        Dataset data = SyntheticData.blobs(1601, 61, 7, 0.3, 11);
        float[] one = train(List.of(new CpuBackend()), MLP, data);
        float[] three = train(List.of(new CpuBackend(), new CpuBackend(), new CpuBackend()), MLP, data);
        assertClose("1601 samples, 3 devices", one, three);
        assertArrayEquals(new int[]{0, 0, 1, 1}, BatchSplit.even(3).first(1));
    }

    @Test
    void theEpochLossIsTheWholeBatchMean() {
        double one, two;
        try (Backend cpu = new CpuBackend(); Trainer t = new Trainer(cpu, MLP, BLOBS, null)) {
            one = t.trainEpoch().trainLoss();
        }
        List<Backend> many = List.of(new CpuBackend(), new CpuBackend());
        try (Trainer t = new Trainer(many, BatchSplit.even(2), MLP, BLOBS, null)) {
            two = t.trainEpoch().trainLoss();
        }
        assertEquals(one, two, 1e-5 * Math.abs(one), "epoch loss on 1 and 2 devices");
    }

    @Test
    void unevenSharesFollowTheGivenProportions() {
        BatchSplit s = BatchSplit.proportional(3, 1);
        assertArrayEquals(new int[]{0, 96, 128}, s.first(128));
        assertArrayEquals(new int[]{0, 7, 9}, s.first(9));
        float[] one = train(List.of(new CpuBackend()), MLP, BLOBS);
        float[] uneven;
        List<Backend> two = List.of(new CpuBackend(), new CpuBackend());
        try (Trainer t = new Trainer(two, s, MLP, BLOBS, null)) {
            t.fit(m -> { });
            uneven = t.network().parameters();
        } finally {
            two.forEach(Backend::close);
        }
        assertClose("shares 3 : 1", one, uneven);
    }

    @Test
    void aDeviceWithNoShareSitsOutEveryStepAndTheRunIsTheOneDevicesExactly() {
        // Shares 1 : 0, as --split speed gives a device too slow to help: the second device never computes;
        // the sum is 1·g of the first, exact, so the weights are the one-device run's bit for bit.
        float[] one = train(List.of(new CpuBackend()), MLP, BLOBS);
        List<Backend> two = List.of(new CpuBackend(), new CpuBackend());
        BatchSplit s = BatchSplit.forCosts(new double[]{1, 60}, new double[]{0.01, 0.001}, MLP.batchSize());
        try (Trainer t = new Trainer(two, s, MLP, BLOBS, null)) {
            t.fit(m -> { });
            assertArrayEquals(one, t.network().parameters());
            assertArrayEquals(one, t.weightsOnDevice(1), "the idle device still receives the weights");
        } finally {
            two.forEach(Backend::close);
        }
    }

    @Test
    void balancingBySpeedKeepsTheRunWithinTolerance() {
        List<Backend> two = List.of(new CpuBackend(), new CpuBackend());
        try (Trainer t = new Trainer(two, BatchSplit.even(2), MLP, BLOBS, null)) {
            List<Trainer.StepCost> costs = t.balanceBySpeed(2);
            assertEquals(2, costs.size());
            for (Trainer.StepCost c : costs) {
                assertTrue(c.fixedMs() >= 0 && c.msPerRow() > 0, c.toString());
            }
            assertEquals(1, t.batchSplit().shares()[0] + t.batchSplit().shares()[1], 1e-12);
            t.fit(m -> { });
            assertClose("balanced by speed", train(List.of(new CpuBackend()), MLP, BLOBS), t.network().parameters());
        } finally {
            two.forEach(Backend::close);
        }
    }

    static float[] train(List<Backend> devices, TrainConfig config, Dataset data) {
        try (Trainer t = new Trainer(devices, BatchSplit.even(devices.size()), config, data, null)) {
            t.fit(m -> { });
            return t.network().parameters();
        } finally {
            devices.forEach(Backend::close);
        }
    }

    static double assertClose(String name, float[] reference, float[] actual) {
        return io.clprop.WeightsClose.assertClose("data parallel " + name, reference, actual, TOLERANCE);
    }
}
