package io.clprop.train;

import io.clprop.SyntheticData;
import io.clprop.backend.Activation;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.data.Dataset;
import io.clprop.nn.Init;
import io.clprop.nn.LossKind;
import io.clprop.util.InvalidSetting;
import io.clprop.util.Wording;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The run's checks are settings of its config, refused once, in the library's terms: the message names the
 * config field (marked, so that the command line can show its option instead). The batch size is checked
 * against the training set the trainer is left with after the validation split.
 */
class SettingChecksTest {
    static final Dataset DATA = SyntheticData.blobs(12, 3, 2, 0.1, 1);

    @Test
    void theCheckIntervalsDefaultToNoReplayAndAHundredSteps() {
        TrainConfig built = TrainConfig.defaults();
        TrainConfig core = new TrainConfig(new int[]{4}, Activation.RELU, LossKind.SOFTMAX_CE, 0.1f, 4, 1, 0, 1,
                Init.AUTO);
        for (TrainConfig c : new TrainConfig[]{built, core}) {
            assertEquals(0, c.checkEvery());
            assertEquals(TrainConfig.DEFAULT_DIVERGENCE_CHECK_EVERY, c.divergenceCheckEvery());
        }
        assertEquals(100, TrainConfig.DEFAULT_DIVERGENCE_CHECK_EVERY);
        TrainConfig set = TrainConfig.builder().checkEvery(3).divergenceCheckEvery(7).build();
        assertEquals(3, set.toBuilder().build().checkEvery(), "kept by toBuilder");
        assertEquals(7, set.withEpochs(2).divergenceCheckEvery());
        assertEquals(TrainConfig.defaults().toString(), set.toString(), "the checks do not change what is trained");
    }

    @Test
    void negativeCheckIntervalsAreRefusedNamingTheSetting() {
        InvalidSetting replay = assertThrows(InvalidSetting.class, () -> TrainConfig.builder().checkEvery(-1).build());
        assertEquals("checkEvery must be ≥ 0, got -1", replay.getMessage());
        assertEquals(Wording.setting("checkEvery") + " must be ≥ 0, got -1", replay.text());
        InvalidSetting nan = assertThrows(InvalidSetting.class,
                () -> TrainConfig.builder().divergenceCheckEvery(-2).build());
        assertEquals("divergenceCheckEvery must be ≥ 0, got -2", nan.getMessage());
        assertEquals(Wording.setting("divergenceCheckEvery") + " must be ≥ 0, got -2", nan.text());
    }

    @Test
    void aBatchLargerThanTheTrainingSetIsRefusedByTheTrainer() {
        TrainConfig c = TrainConfig.builder().hidden(4).batch(13).epochs(1).build();
        try (CpuBackend b = new CpuBackend()) {
            InvalidSetting e = assertThrows(InvalidSetting.class, () -> new Trainer(b, c, DATA, null).close());
            assertEquals("batchSize 13 is larger than the training set (12 samples)", e.getMessage());
            assertEquals(Wording.setting("batchSize") + " 13 is larger than the training set (12 samples)", e.text());
        }
    }

    @Test
    void theBatchIsCheckedAgainstWhatTheValidationSplitLeaves() {
        TrainConfig c = TrainConfig.builder().hidden(4).batch(7).epochs(1).validation(0.5).build();
        try (CpuBackend b = new CpuBackend()) {
            InvalidSetting e = assertThrows(InvalidSetting.class, () -> new Trainer(b, c, DATA, null).close());
            assertEquals("batchSize 7 is larger than the training set (6 samples after the validation split)",
                    e.getMessage());
            try (Trainer t = new Trainer(b, c.withBatchSize(6), DATA, null)) {
                assertEquals(6, t.trainSize());
                assertFalse(t.finished());
            }
        }
    }
}
