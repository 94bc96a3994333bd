package io.clprop.report;

import io.clprop.train.EpochMetrics;
import io.clprop.train.TrainConfig;
import io.clprop.train.ConfigJson;
import io.clprop.train.ShadowCheckSummary;
import io.clprop.train.EpochJson;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.clprop.util.AtomicFiles;

import java.nio.file.Path;
import java.util.List;

/**
 * The metrics file of a training run: {"config":{…},"device":"…","epochs":[{"epoch":1,"train_loss":…,"test_accuracy":…,
 * "seconds":…,"samples_per_sec":…}],"test_accuracy":…}. Written atomically, so a reader never sees half a file.
 */
public final class MetricsJson {
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues().create();

    private MetricsJson() {
    }

    public static JsonObject toJson(TrainConfig config, String device, List<EpochMetrics> epochs, double testAccuracy) {
        JsonObject root = new JsonObject();
        JsonObject c = ConfigJson.toJson(config);
        root.add("config", c);
        root.addProperty("device", device);
        JsonArray es = new JsonArray();
        for (EpochMetrics m : epochs) {
            es.add(EpochJson.epochJson(m));
        }
        root.add("epochs", es);
        root.add("test_accuracy", EpochJson.number(testAccuracy));
        ShadowCheckSummary any = epochs.stream().map(EpochMetrics::check).filter(java.util.Objects::nonNull).findFirst()
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
            root.add("check", EpochJson.checkJson(steps, maxRel, any.tolerance()));
        }
        return root;
    }

    public static void write(Path file, TrainConfig config, String device, List<EpochMetrics> epochs,
                             double testAccuracy) {
        AtomicFiles.writeString(file, GSON.toJson(toJson(config, device, epochs, testAccuracy)) + "\n");
    }
}
