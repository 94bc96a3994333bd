package io.clprop.backend;

import io.clprop.SyntheticData;
import io.clprop.TestDevices;
import io.clprop.backend.opencl.OpenClBackend;
import io.clprop.data.Dataset;
import io.clprop.backend.Activation;
import io.clprop.nn.Init;
import io.clprop.nn.LossKind;
import io.clprop.train.TrainConfig;
import io.clprop.train.Trainer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Trainers and backends can be made and closed many times in one JVM without leaving buffers behind. */
class ResourceReleaseTest {

    @Test
    void trainerReleasesEveryBufferItAllocated() {
        Dataset data = SyntheticData.blobs(200, 13, 3, 0.3, 1);
        TrainConfig config = new TrainConfig(new int[]{7}, Activation.TANH, LossKind.MSE, 0.1f, 16, 1, 0, 1, Init.AUTO);
        try (OpenClBackend b = TestDevices.openCl()) {
            int baseline = b.liveBuffers();
            for (int i = 0; i < 20; i++) {
                try (Trainer t = new Trainer(b, config, data, data)) {
                    t.trainEpoch();
                }
                assertEquals(baseline, b.liveBuffers(), "live buffers after trainer " + i);
            }
        }
    }

    @Test
    void backendsOpenAndCloseRepeatedly() {
        for (int i = 0; i < 20; i++) {
            OpenClBackend b = TestDevices.openCl();
            Tensor t = b.allocate(3, 5);
            b.write(t, new float[15]);
            b.close();
            assertEquals(0, b.liveBuffers());
            assertThrows(IllegalStateException.class, () -> b.read(t), "a closed backend's buffer must be refused");
        }
    }
}
