package io.clprop.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.clprop.util.AtomicFiles;
import io.clprop.util.UserError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The --metrics-json file: {"config":{…},"device":"…","epochs":[{"epoch":1,"train_loss":…,"test_accuracy":…,
 * "seconds":…,"samples_per_sec":…}],"test_accuracy":…}. Written atomically, so a reader never sees half a file.
 */
public final class MetricsJson {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    private MetricsJson() {
    }

    /** Fails before training if the file could not be written afterwards. */
    public static void checkWritable(Path file) {
        checkWritable(file, "--metrics-json");
    }

    /** Fails before any work if {@code file} (given with {@code option}) could not be written afterwards. */
    public static void checkWritable(Path file, String option) {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new UserError(option + " " + file + ": folder " + dir + " does not exist");
        }
        if (Files.isDirectory(file)) {
            throw new UserError(option + " " + file + ": is a folder");
        }
        if (!Files.isWritable(dir)) {
            throw new UserError(option + " " + file + ": folder " + dir + " is not writable");
        }
    }

    /** A JSON number, or null where the value is not finite (JSON has no NaN or infinity). */
    public static com.google.gson.JsonElement number(double v) {
        return Double.isFinite(v) ? new com.google.gson.JsonPrimitive(v) : com.google.gson.JsonNull.INSTANCE;
    }

    public static JsonObject toJson(TrainConfig config, String device, List<EpochMetrics> epochs, double testAccuracy) {
        JsonObject root = new JsonObject();
        JsonObject c = new JsonObject();
        JsonArray hidden = new JsonArray();
        for (int h : config.hidden()) {
            hidden.add(h);
        }
        c.add("hidden", hidden);
        c.addProperty("activation", config.activationNames());
        c.addProperty("loss", config.loss().cliName);
        c.addProperty("lr", config.learningRate());
        c.addProperty("batch", config.batchSize());
        c.addProperty("epochs", config.epochs());
        c.addProperty("target_loss", config.targetLoss());
        c.addProperty("seed", config.seed());
        c.addProperty("init", config.init().cliName());
        root.add("config", c);
        root.addProperty("device", device);
        JsonArray es = new JsonArray();
        for (EpochMetrics m : epochs) {
            JsonObject e = new JsonObject();
            e.addProperty("epoch", m.epoch());
            e.addProperty("train_loss", m.trainLoss());
            if (m.hasValidation()) {
                e.add("validation_loss", number(m.validationLoss()));
                e.add("validation_accuracy", number(m.validationAccuracy()));
            }
            e.add("test_accuracy", number(m.testAccuracy()));
            e.add("learning_rate", number(m.learningRate()));
            e.addProperty("seconds", m.seconds());
            e.addProperty("samples_per_sec", m.samplesPerSec());
            if (m.check() != null) {
                e.add("check", check(m.check().steps(), m.check().maxRel(), m.check().tolerance()));
            }
            es.add(e);
        }
        root.add("epochs", es);
        root.add("test_accuracy", number(testAccuracy));
        if (!epochs.isEmpty() && epochs.get(0).check() != null) {
            int steps = 0;
            double maxRel = 0;
            for (EpochMetrics m : epochs) {
                steps += m.check().steps();
                maxRel = Math.max(maxRel, m.check().maxRel());
            }
            root.add("check", check(steps, maxRel, epochs.get(0).check().tolerance()));
        }
        return root;
    }

    private static JsonObject check(int steps, double maxRel, double tolerance) {
        JsonObject c = new JsonObject();
        c.addProperty("steps", steps);
        c.add("max_rel", number(maxRel));
        c.addProperty("tolerance", tolerance);
        return c;
    }

    public static void write(Path file, TrainConfig config, String device, List<EpochMetrics> epochs,
                             double testAccuracy) {
        AtomicFiles.writeString(file, GSON.toJson(toJson(config, device, epochs, testAccuracy)) + "\n");
    }
}
