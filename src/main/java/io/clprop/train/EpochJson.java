package io.clprop.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.clprop.util.JsonNumbers;

import java.util.function.Function;

/**
 * One epoch's metrics as JSON, and back: the lines of a metrics file's "epochs" array and of a checkpoint's
 * history, which a resumed run reads.
 */
public final class EpochJson {
    private EpochJson() {
    }

    /** A JSON number, or null where the value is not finite (JSON has no NaN or infinity). */
    public static com.google.gson.JsonElement number(double v) {
        return Double.isFinite(v) ? new com.google.gson.JsonPrimitive(v) : com.google.gson.JsonNull.INSTANCE;
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
            e.add("check", checkJson(m.check().steps(), m.check().maxRel(), m.check().tolerance()));
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
        ShadowCheckSummary check = null;
        JsonElement c = e.get("check");
        if (c != null) {
            if (!c.isJsonObject()) {
                throw inEpoch.apply("check must be an object, got " + JsonNumbers.shown(c));
            }
            JsonObject o = c.getAsJsonObject();
            check = new ShadowCheckSummary(JsonNumbers.wholeInt(o.get("steps"), 0, Integer.MAX_VALUE, "check.steps", inEpoch),
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

    /** The "check" object: steps checked, the largest relative error and the tolerance. */
    public static JsonObject checkJson(int steps, double maxRel, double tolerance) {
        JsonObject c = new JsonObject();
        c.addProperty("steps", steps);
        c.add("max_rel", number(maxRel));
        c.addProperty("tolerance", tolerance);
        return c;
    }

}
