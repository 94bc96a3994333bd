package io.clprop.train;

import io.clprop.SyntheticData;
import io.clprop.TestDevices;
import io.clprop.backend.Backend;
import io.clprop.backend.TransferStats;
import io.clprop.data.Dataset;
import io.clprop.backend.Activation;
import io.clprop.nn.Init;
import io.clprop.nn.LossKind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Nothing crosses between host and device per step: an epoch's traffic, counted by the backend's one
 * transfer point, is the shuffled index upload, the read of the epoch's step losses and the read of the
 * test predictions, whatever the number of steps.
 */
class TransferCountTest {

    @ParameterizedTest
    @EnumSource(LossKind.class)
    void epochTrafficIsIndependentOfStepCount(LossKind loss) {
        int n = 1000, testN = 300;
        Dataset train = SyntheticData.blobs(n, 20, 5, 0.3, 1);
        Dataset test = SyntheticData.blobs(testN, 20, 5, 0.3, 2);
        for (int batch : new int[]{10, 100}) {
            TrainConfig config = new TrainConfig(new int[]{16}, Activation.RELU, loss, 0.1f, batch, 1, 0, 1, Init.AUTO);
            try (Backend b = TestDevices.openCl(); Trainer t = new Trainer(b, config, train, test)) {
                TransferStats before = b.transfers().snapshot();
                t.trainEpoch();
                TransferStats epoch = b.transfers().since(before);
                int steps = t.stepsPerEpoch();
                assertEquals(4L * n, epoch.hostToDeviceBytes(), "h2d: the permutation only");
                // The test set is evaluated in one chunk (300 ≤ Evaluator.CHUNK_ROWS): one chunk loss and 300 predictions.
                assertEquals(4L * (steps + 1) + 4L + 4L * testN, epoch.deviceToHostBytes(),
                        "d2h: step losses and the divergence flag + test loss + predictions");
                assertEquals(4, epoch.blockingWaits(),
                        "waits: permutation write, step-loss read, test-loss read, predictions read");
            }
        }
    }

    /**
     * A convolutional network (conv, max-pool, strided conv, dense) moves nothing per step either: an epoch's
     * traffic is that of an MLP's, the same at 10 and at 100 steps, and the steps alone move 0 bytes.
     */
    @ParameterizedTest
    @EnumSource(LossKind.class)
    void aConvolutionalNetworkMovesNothingPerStep(LossKind loss) {
        int n = 600, testN = 300;
        io.clprop.util.ImageShape shape = new io.clprop.util.ImageShape(2, 7, 6);
        Dataset train = SyntheticData.images(n, shape, 5, 0.3, 1);
        Dataset test = SyntheticData.images(testN, shape, 5, 0.3, 2);
        for (int batch : new int[]{6, 60}) {
            TrainConfig config = TrainConfig.builder().layers(io.clprop.nn.LayerList.parse(
                            "conv:3:3:pad1,relu,maxpool:2,conv:5:2:stride2,relu,flatten,dense:5"))
                    .loss(loss).batch(batch).epochs(1).seed(1).dropout(0.2).build();
            try (Backend b = TestDevices.openCl(); Trainer t = new Trainer(b, config, train, test)) {
                TransferStats before = b.transfers().snapshot();
                t.trainEpoch();
                TransferStats epoch = b.transfers().since(before);
                int steps = t.stepsPerEpoch();
                assertEquals(n / batch, steps);
                assertEquals(0, t.lastEpochStepTransfers().hostToDeviceBytes() + t.lastEpochStepTransfers()
                        .deviceToHostBytes(), "the steps themselves: 0 bytes");
                assertEquals(0, t.lastEpochStepTransfers().blockingWaits(), "the steps themselves: no waits");
                assertEquals(4L * n, epoch.hostToDeviceBytes(), "h2d: the permutation only");
                assertEquals(4L * (steps + 1) + 4L + 4L * testN, epoch.deviceToHostBytes(),
                        "d2h: step losses and the divergence flag + test loss + predictions");
                assertEquals(4, epoch.blockingWaits(),
                        "waits: permutation write, step-loss read, test-loss read, predictions read");
            }
        }
    }

    /** Divergence checks every K steps add one 4-byte read (a blocking wait) each, nothing else. */
    @org.junit.jupiter.api.Test
    void divergenceChecksCostOneSmallReadEach() {
        Dataset train = SyntheticData.blobs(1000, 20, 5, 0.3, 1);
        // 100 steps: checks after steps 30, 60 and 90; the epoch end as always
        TrainConfig config = new TrainConfig(new int[]{16}, Activation.RELU, LossKind.SOFTMAX_CE, 0.1f, 10, 1, 0, 1,
                Init.AUTO).toBuilder().divergenceCheckEvery(30).build();
        try (Backend b = TestDevices.openCl(); Trainer t = new Trainer(b, config, train, null)) {
            TransferStats before = b.transfers().snapshot();
            t.trainEpoch();
            TransferStats epoch = b.transfers().since(before);
            assertEquals(4L * 101 + 3 * 4L, epoch.deviceToHostBytes(), "step losses and flag + three flags");
            assertEquals(2 + 3, epoch.blockingWaits(), "permutation write, epoch read, three flag reads");
        }
    }
}
