package io.clprop.train;

import io.clprop.TestDevices;
import io.clprop.backend.Backend;
import io.clprop.backend.ReplicaExchange;
import io.clprop.backend.TransferStats;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.backend.opencl.OpenClBackend;
import io.clprop.data.Dataset;
import io.clprop.nn.LayerList;
import io.clprop.nn.optim.OptimizerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.clprop.train.DataParallelTrainingTest.BLOBS;
import static io.clprop.train.DataParallelTrainingTest.MLP;
import static io.clprop.train.DataParallelTrainingTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data parallelism on OpenCL devices: two devices (those CLPROP_TEST_DEVICES names, or two backends on the
 * test device; of one platform they share a context and their gradients are summed device to device, of two
 * they meet through the host), and an OpenCL device with the CPU path (through the host). Each against one device and the CPU path after
 * 50 steps, within the training cross-check's tolerance (1e-4 · max|w|; measured ratios printed).
 */
class MultiDeviceTrainingTest {

    static Stream<Arguments> configs() {
        return Stream.of(
                Arguments.of("mlp sgd", MLP),
                Arguments.of("mlp adam, dropout 0.3, batch 37", MLP.toBuilder().learningRate(0.01).batch(37).dropout(0.3)
                        .optimizer(OptimizerConfig.adam()).build()),
                Arguments.of("cnn", TrainConfig.builder().layers(LayerList.parse(CnnTrainingCrossCheckTest.LAYERS))
                        .learningRate(0.1).batch(32).epochs(1).seed(5).build()));
    }

    private static Dataset dataFor(TrainConfig config) {
        return config.layers() != null ? CnnTrainingCrossCheckTest.DATA : BLOBS;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void twoDevicesEqualOneDeviceAndTheCpuPath(String name, TrainConfig config) {
        Dataset data = dataFor(config);
        float[] one;
        try (Backend d = TestDevices.openCl(); Trainer t = new Trainer(d, config, data, null)) {
            t.fit(m -> { });
            one = t.network().parameters();
        }
        float[] cpu = DataParallelTrainingTest.train(List.of(new CpuBackend()), config, data);
        List<OpenClBackend> two = TestDevices.openClDevices(2);
        try (Trainer t = new Trainer(two, BatchSplit.even(2), config, data, null)) {
            // Devices of one platform share a context (CLPROP_TEST_DEVICES of two platforms: through the host).
            boolean onePlatform = two.get(0).device().platformName().equals(two.get(1).device().platformName());
            assertEquals(onePlatform ? "device to device, one context" : "through the host",
                    t.exchange().orElseThrow().route());
            t.fit(m -> { });
            float[] split = t.network().parameters();
            assertArrayEquals(split, t.weightsOnDevice(1), "the devices' weights differ");
            assertClose(name + ", 2 devices vs 1", one, split);
            assertClose(name + ", 2 devices vs the CPU path", cpu, split);
            // In one context the steps read nothing back and write nothing; the sum and the weights move
            // 2·(N−1)·P·4 bytes a step between the devices. Through the host: (2N+1)·P·4.
            TransferStats steps = t.lastEpochStepTransfers();
            long moved = (long) t.stepsPerEpoch() * t.exchange().orElseThrow().bytesPerStep();
            if (onePlatform) {
                assertEquals(0, steps.hostToDeviceBytes() + steps.deviceToHostBytes(), steps.toString());
                assertEquals(moved, steps.deviceToDeviceBytes(), steps.toString());
            } else {
                assertEquals(moved, steps.hostToDeviceBytes() + steps.deviceToHostBytes(), steps.toString());
            }
        } finally {
            two.forEach(Backend::close);
        }
    }

    @Test
    void aDeviceAndTheCpuPathMeetThroughTheHost() {
        float[] one;
        try (Backend d = TestDevices.openCl(); Trainer t = new Trainer(d, MLP, BLOBS, null)) {
            t.fit(m -> { });
            one = t.network().parameters();
        }
        List<Backend> mixed = List.of(TestDevices.openCl(), new CpuBackend());
        try (Trainer t = new Trainer(mixed, BatchSplit.even(2), MLP, BLOBS, null)) {
            ReplicaExchange sum = t.exchange().orElseThrow();
            assertEquals("through the host", sum.route());
            t.fit(m -> { });
            assertArrayEquals(t.weightsOnDevice(0), t.weightsOnDevice(1), "the device's and the CPU path's weights differ");
            assertClose("opencl + cpu vs 1 device", one, t.network().parameters());
            assertEquals((2L * 2 + 1) * 4 * t.network().parameterBuffer().size(), sum.bytesPerStep());
            TransferStats steps = t.lastEpochStepTransfers();
            assertEquals(t.stepsPerEpoch() * sum.bytesPerStep(), steps.hostToDeviceBytes() + steps.deviceToHostBytes(),
                    steps.toString());
        } finally {
            mixed.forEach(Backend::close);
        }
    }

    /**
     * A run checkpointed on two devices after one epoch, resumed on two, on one and on three: on two it is
     * the uninterrupted run exactly (same shares, same order of the sum); on one and three the shares and so
     * the rounding differ, and it ends within the tolerance of the uninterrupted run (measured 1.1e-7 and
     * 2.7e-7 of max|w|, printed). Momentum 0.9 at rate 0.03: at an effective rate near 1 (rate 0.1) the same
     * rounding differences grow to 3.7e-5 in 50 steps, a property of the run, not of the split.
     */
    @Test
    void aCheckpointFromTwoDevicesResumesOnOneTwoOrThree(@TempDir Path dir) {
        TrainConfig config = MLP.toBuilder().epochs(2).optimizer(OptimizerConfig.of(OptimizerConfig.Kind.MOMENTUM))
                .learningRate(0.03).build();
        Path ckpt = dir.resolve("run.ckpt");
        float[] uninterrupted;
        List<OpenClBackend> two = TestDevices.openClDevices(2);
        try (Trainer t = new Trainer(two, BatchSplit.even(2), config, BLOBS, null)) {
            t.trainEpoch();
            Checkpoint.write(ckpt, t.snapshot(), config, t.spec(), BLOBS.fingerprint());
            t.trainEpoch();
            uninterrupted = t.network().parameters();
        } finally {
            two.forEach(Backend::close);
        }
        for (int n : new int[]{2, 1, 3}) {
            List<Backend> devices = new ArrayList<>();
            if (n == 1) {
                devices.add(TestDevices.openCl());
            } else {
                devices.addAll(n == 2 ? TestDevices.openClDevices(2) : List.of(TestDevices.openCl(), TestDevices.openCl(),
                        new CpuBackend()));
            }
            try (Trainer t = new Trainer(devices, BatchSplit.even(n), config, BLOBS, null)) {
                t.resume(ckpt);
                t.fit(m -> { });
                assertEquals(2, t.epochsDone());
                if (n == 2) {
                    assertArrayEquals(uninterrupted, t.network().parameters(), "resumed on the same two devices");
                } else {
                    assertClose("checkpoint of 2 devices resumed on " + n, uninterrupted, t.network().parameters());
                }
            } finally {
                devices.forEach(Backend::close);
            }
        }
    }

    @Test
    void theShadowCheckComparesTheWholeBatchOnSeveralDevices() {
        List<OpenClBackend> two = TestDevices.openClDevices(2);
        TrainConfig config = MLP.toBuilder().checkEvery(7).dropout(0.3).build();
        try (Trainer t = new Trainer(two, BatchSplit.even(2), config, BLOBS, null)) {
            EpochMetrics m = t.trainEpoch();
            assertTrue(m.check().steps() >= 7, m.check().toString());
            assertTrue(m.check().maxRel() <= m.check().tolerance(), m.check().toString());
        } finally {
            two.forEach(Backend::close);
        }
    }
}
