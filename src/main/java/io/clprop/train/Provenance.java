package io.clprop.train;

import com.google.gson.JsonObject;

/**
 * Where a trained model came from, as a model file's "trained" section keeps it: the run's configuration
 * (as the metrics file and checkpoints write it), the epochs run, the final test accuracy and the device.
 */
public final class Provenance {
    private Provenance() {
    }

    /** @param testAccuracy NaN without a test set (stored as null) */
    public static JsonObject of(TrainConfig config, int epochs, double testAccuracy, String device) {
        JsonObject trained = new JsonObject();
        trained.add("config", ConfigJson.toJson(config));
        trained.addProperty("epochs", epochs);
        trained.add("test_accuracy", EpochJson.number(testAccuracy));
        trained.addProperty("device", device);
        return trained;
    }
}
