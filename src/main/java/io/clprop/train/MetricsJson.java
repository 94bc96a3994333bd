package io.clprop.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonElement;
import io.clprop.util.AtomicFiles;
import io.clprop.util.JsonNumbers;
import io.clprop.util.UserError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

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
        if (file.toString().isEmpty()) {
            throw new UserError(option + ": needs a file name, got an empty one");
        }
        if (Files.isDirectory(file)) {
            throw new UserError(option + " " + file + ": is a folder");
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new UserError(option + " " + file + ": folder " + dir + " does not exist");
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
        JsonObject c = ConfigJson.toJson(config);
        root.add("config", c);
        root.addProperty("device", device);
        JsonArray es = new JsonArray();
        for (EpochMetrics m : epochs) {
            es.add(epochJson(m));
        }
        root.add("epochs", es);
        root.add("test_accuracy", number(testAccuracy));
        CheckStats any = epochs.stream().map(EpochMetrics::check).filter(java.util.Objects::nonNull).findFirst()
                .orElse(null);
        if (any != null) {
            int steps = 0;
            double maxRel = 0;
            for (EpochMetrics m : epochs) {
                if (m.check() != null) {
                    steps += m.check().steps();
                    maxRel = Math.max(maxRel, m.check().maxRel());
                }
            }
            root.add("check", check(steps, maxRel, any.tolerance()));
        }
        return root;
    }

    /** One epoch's line of the "epochs" array (also kept in checkpoints). */
    public static JsonObject epochJson(EpochMetrics m) {
        JsonObject e = new JsonObject();
        e.addProperty("epoch", m.epoch());
        e.add("train_loss", number(m.trainLoss()));
        if (m.hasValidation()) {
            e.add("validation_loss", number(m.validationLoss()));
            e.add("validation_accuracy", number(m.validationAccuracy()));
        }
        e.add("test_accuracy", number(m.testAccuracy()));
        e.add("learning_rate", number(m.learningRate()));
        e.add("seconds", number(m.seconds()));
        e.add("samples_per_sec", number(m.samplesPerSec()));
        e.add("eval_seconds", number(m.evalSeconds()));
        if (m.check() != null) {
            e.add("check", check(m.check().steps(), m.check().maxRel(), m.check().tolerance()));
        }
        return e;
    }

    /**
     * The inverse of {@link #epochJson}; absent or null numbers read as NaN. A field that is not what
     * epochJson writes is an IllegalArgumentException naming it (see the overload for another exception).
     */
    public static EpochMetrics epochFromJson(JsonObject e) {
        return epochFromJson(e, IllegalArgumentException::new);
    }

    /**
     * {@link #epochFromJson(JsonObject)} for values read from a file: every number is checked before it is
     * used ({@link JsonNumbers}), and a field that is not what epochJson writes throws
     * {@code error.apply(problem)}, the problem naming the field ("epoch 3: train_loss must be …"), e.g.
     * {@code problem -> new UserError(file + ": history: " + problem)}.
     */
    public static EpochMetrics epochFromJson(JsonObject e, Function<String, ? extends RuntimeException> error) {
        JsonElement n = e.get("epoch");
        int epoch = JsonNumbers.wholeInt(n, 0, Integer.MAX_VALUE, "epoch", error);
        Function<String, ? extends RuntimeException> inEpoch = problem -> error.apply("epoch " + epoch + ": " + problem);
        CheckStats check = null;
        JsonElement c = e.get("check");
        if (c != null) {
            if (!c.isJsonObject()) {
                throw inEpoch.apply("check must be an object, got " + JsonNumbers.shown(c));
            }
            JsonObject o = c.getAsJsonObject();
            check = new CheckStats(JsonNumbers.wholeInt(o.get("steps"), 0, Integer.MAX_VALUE, "check.steps", inEpoch),
                    num(o, "check.", "max_rel", inEpoch), num(o, "check.", "tolerance", inEpoch));
        }
        return new EpochMetrics(epoch, num(e, "", "train_loss", inEpoch), num(e, "", "validation_loss", inEpoch),
                num(e, "", "validation_accuracy", inEpoch), num(e, "", "test_accuracy", inEpoch),
                num(e, "", "learning_rate", inEpoch), num(e, "", "seconds", inEpoch),
                num(e, "", "samples_per_sec", inEpoch), num(e, "", "eval_seconds", inEpoch), check);
    }

    private static double num(JsonObject o, String prefix, String key, Function<String, ? extends RuntimeException> error) {
        return JsonNumbers.finiteDoubleOrNaN(o.get(key), prefix + key, error);
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
