package io.clprop.train;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A model file's "trained" section: what it records of the run. */
class ProvenanceTest {
    @Test
    void recordsTheConfigurationEpochsAccuracyAndDevice() {
        TrainConfig config = TrainConfig.builder().batch(64).epochs(3).build();
        JsonObject p = Provenance.of(config, 2, 0.875, "cpu (double)");
        assertEquals(ConfigJson.toJson(config), p.get("config"));
        assertEquals(2, p.get("epochs").getAsInt());
        assertEquals(0.875, p.get("test_accuracy").getAsDouble());
        assertEquals("cpu (double)", p.get("device").getAsString());
        assertEquals(4, p.size());
    }

    @Test
    void aRunWithoutATestSetStoresNullAccuracy() {
        JsonObject p = Provenance.of(TrainConfig.defaults(), 1, Double.NaN, "cpu (double)");
        assertTrue(p.get("test_accuracy").isJsonNull());
    }
}
