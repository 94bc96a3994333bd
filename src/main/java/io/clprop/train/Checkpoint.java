package io.clprop.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.clprop.model.ClpropFile;
import io.clprop.nn.NetworkSpec;
import io.clprop.util.Excerpt;
import io.clprop.util.UserError;

import static io.clprop.util.Wording.setting;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training run's state at an epoch boundary as a file: a {@link ClpropFile} with magic "CLPROPCK".
 * Header: {"kind":"checkpoint", "network": spec, "config": {…as in the metrics file…}, "train_samples": n,
 * "train_crc32" (the training samples' {@link io.clprop.data.Dataset#fingerprint()}),
 * "epochs_done", "global_step", "optimizer_steps", "rng" (the generator, Java-serialized, base64),
 * "best_validation_loss" (null when none), "best_epoch", "epochs_since_best", "history": [epoch metrics]}.
 * Sections: "parameters" (f32), one f32 section per optimizer state buffer ("velocity"; "adam_m",
 * "adam_s"), "best_parameters" (f32, with early stopping), "order" (i32, the last batch order).
 *
 * <p>Written with the container's atomic write (temporary file, fsync, rename, fsync of the folder), so a
 * crash at any moment leaves either the previous checkpoint or the new one, never a mixture; the CRC-32
 * catches anything else.
 */
public final class Checkpoint {
    public static final String MAGIC = "CLPROPCK";

    private Checkpoint() {
    }

    /** @param trainFingerprint {@link io.clprop.data.Dataset#fingerprint()} of the samples the run trains on */
    public static void write(Path file, TrainerState s, TrainConfig config, NetworkSpec spec, long trainFingerprint) {
        JsonObject h = new JsonObject();
        h.addProperty("kind", "checkpoint");
        h.addProperty("network", spec.describe());
        h.add("config", ConfigJson.toJson(config));
        h.addProperty("train_samples", s.order().length);
        h.addProperty("train_crc32", trainFingerprint);
        h.addProperty("epochs_done", s.epochsDone());
        h.addProperty("global_step", s.globalStep());
        h.addProperty("optimizer_steps", s.optimizerSteps());
        h.addProperty("rng", Base64.getEncoder().encodeToString(s.rngState()));
        h.add("best_validation_loss", EpochJson.number(s.bestValidationLoss()));
        h.addProperty("best_epoch", s.bestEpoch());
        h.addProperty("epochs_since_best", s.epochsSinceBest());
        JsonArray history = new JsonArray();
        for (EpochMetrics m : s.history()) {
            history.add(EpochJson.epochJson(m));
        }
        h.add("history", history);
        LinkedHashMap<String, float[]> f32 = new LinkedHashMap<>();
        f32.put("parameters", s.parameters());
        for (int i = 0; i < s.optimizerStateNames().size(); i++) {
            f32.put(s.optimizerStateNames().get(i), s.optimizerState().get(i));
        }
        if (s.bestParameters() != null) {
            f32.put("best_parameters", s.bestParameters());
        }
        LinkedHashMap<String, int[]> i32 = new LinkedHashMap<>();
        i32.put("order", s.order());
        new ClpropFile(MAGIC, h, f32, i32).write(file);
    }

    /**
     * Settings a resumed run may change: how long to train and when to stop, and the learning rate and its
     * schedule (to continue a diverged run more gently). Changing any but the epochs means the run no longer
     * matches one that was never interrupted, so {@link #read} reports them. Everything else (network,
     * optimizer and its constants, batch, seed, validation split, patience) shapes the state the
     * checkpoint holds and must stay.
     */
    static final java.util.Set<String> MAY_CHANGE = java.util.Set.of("epochs", "target_loss", "lr", "schedule");

    /**
     * Settings added after checkpoints were first written, with the value a checkpoint without them was
     * taken with: such a checkpoint resumes only with that value.
     */
    static final Map<String, JsonElement> ADDED_LATER = Map.of("dropout", new com.google.gson.JsonPrimitive(0.0),
            "init_from", com.google.gson.JsonNull.INSTANCE);

    /** A checkpoint's state, and the settings this run changes from it ("lr 0.1 → 0.01"), if any. */
    public record Loaded(TrainerState state, List<String> changes) {
    }

    /**
     * Reads a checkpoint for a run of {@code config} on {@code spec}: every setting must match except those
     * of {@link #MAY_CHANGE}, or a one-line error names the first difference. Every value is then checked on
     * the host ({@link CheckpointHeader}, the section set here, {@link TrainerStateCheck}): a checkpoint
     * edited by hand, its checksum recomputed, is refused with a {@link UserError} naming the file and the
     * field before anything of it reaches the device.
     *
     * @param optimizerState the names of the run's optimizer state buffers, the sections it must find
     */
    public static Loaded read(Path file, TrainConfig config, NetworkSpec spec, int trainSamples,
                              long trainFingerprint, List<String> optimizerState) {
        ClpropFile f = ClpropFile.read(file, MAGIC, "checkpoint");
        CheckpointHeader h = new CheckpointHeader(file, f.header());
        TrainerStateCheck.Shape shape = TrainerStateCheck.Shape.of(config, spec, trainSamples, optimizerState);
        try {
            String network = h.string("network");
            if (!network.equals(spec.describe())) {
                // Shown up to this run's description and a bit: a CNN's differs past the first 40 characters.
                throw new UserError(file + ": the checkpoint is of a "
                        + Excerpt.of(network, spec.describe().length() + Excerpt.MAX) + " network, this run builds "
                        + spec.describe());
            }
            JsonObject saved = h.object("config");
            JsonObject asked = ConfigJson.toJson(config);
            List<String> changes = new ArrayList<>();
            for (Map.Entry<String, JsonElement> e : asked.entrySet()) {
                JsonElement was = saved.has(e.getKey()) ? saved.get(e.getKey()) : ADDED_LATER.get(e.getKey());
                // Compared as JSON text: a float written as 0.9 reads back as the double 0.9.
                if (was == null || !e.getValue().toString().equals(was.toString())) {
                    if (was != null && MAY_CHANGE.contains(e.getKey())) {
                        if (!e.getKey().equals("epochs")) {
                            changes.add(e.getKey() + " " + Excerpt.of(was.toString()) + " → " + e.getValue());
                        }
                        continue;
                    }
                    throw new UserError(file + ": the checkpoint was taken with " + e.getKey() + " "
                            + (was == null || was.isJsonNull() ? "none" : Excerpt.of(was.toString()))
                            + ", this run has " + (e.getValue().isJsonNull() ? "none" : e.getValue()) + " (a resumed run keeps its settings; only "
                            + setting("epochs") + ", " + setting("targetLoss") + ", " + setting("learningRate")
                            + " and " + setting("schedule") + " may change)");
                }
            }
            long samples = h.integer("train_samples", 0, Integer.MAX_VALUE);
            if (samples != trainSamples) {
                throw new UserError(file + ": the checkpoint's run trained on " + samples + " samples, this one on "
                        + trainSamples);
            }
            // Absent in checkpoints written before it was recorded: those are taken on trust, as they were.
            Long crc = h.optionalInteger("train_crc32", 0, 0xFFFFFFFFL);
            if (crc != null && crc != trainFingerprint) {
                throw new UserError(file + ": the checkpoint's run trained on other data (same sample count, other "
                        + "values: CRC-32 " + Long.toHexString(crc) + ", this run's "
                        + Long.toHexString(trainFingerprint) + "); resume with the same " + setting("trainData")
                        + ", " + setting("trainLimit") + ", " + setting("standardize") + " and " + setting("missing"));
            }
            checkSections(file, f, shape);
            List<float[]> state = new ArrayList<>();
            for (String name : optimizerState) {
                state.add(f.f32(name));
            }
            TrainerState s = new TrainerState((int) h.integer("epochs_done", 0, Integer.MAX_VALUE),
                    h.integer("global_step", 0, Long.MAX_VALUE), f.f32("parameters"), List.copyOf(optimizerState),
                    state, h.integer("optimizer_steps", 0, Long.MAX_VALUE), h.base64("rng", RngState.MAX_BASE64),
                    f.i32("order"), f.f32("best_parameters"),
                    h.numberOrNull("best_validation_loss", Double.POSITIVE_INFINITY),
                    (int) h.integer("best_epoch", 0, Integer.MAX_VALUE),
                    (int) h.integer("epochs_since_best", 0, Integer.MAX_VALUE), h.history("history"));
            try {
                TrainerStateCheck.check(s, shape);
            } catch (TrainerStateCheck.Invalid e) {
                throw new UserError(file + ": checkpoint " + e.getMessage());
            }
            return new Loaded(s, changes);
        } catch (UserError e) {
            throw e;
        } catch (RuntimeException e) {
            // Every field is checked as it is read, so this is a case no check foresaw: still bad input.
            throw h.unforeseen();
        }
    }

    /**
     * The sections must be exactly those the run writes, each of its type: parameters, the optimizer's state
     * buffers, best_parameters with early stopping (f32), and order (i32).
     */
    private static void checkSections(Path file, ClpropFile f, TrainerStateCheck.Shape shape) {
        List<String> f32 = new ArrayList<>();
        f32.add("parameters");
        f32.addAll(shape.optimizerState());
        if (shape.earlyStopping()) {
            f32.add("best_parameters");
        }
        List<String> i32 = List.of("order");
        for (String name : f32) {
            expect(file, name, f.f32(name) != null, ClpropFile.F32, f.i32(name) != null, shape);
        }
        for (String name : i32) {
            expect(file, name, f.i32(name) != null, ClpropFile.I32, f.f32(name) != null, shape);
        }
        List<String> all = new ArrayList<>(f32);
        all.addAll(i32);
        java.util.Set<String> present = new java.util.LinkedHashSet<>(f.f32Sections().keySet());
        present.addAll(f.i32Sections().keySet());
        for (String name : present) {
            if (!all.contains(name)) {
                throw new UserError(file + ": checkpoint section \"" + name + "\": not one the run keeps (it keeps "
                        + String.join(", ", all) + ")");
            }
        }
    }

    private static void expect(Path file, String name, boolean present, String type,
                               boolean asOtherType, TrainerStateCheck.Shape shape) {
        if (present) {
            return;
        }
        String why = name.equals("parameters") ? "the network's weights"
                : name.equals("best_parameters") ? "the run uses early stopping"
                : name.equals("order") ? "the batch order"
                : shape.optimizer() + " keeps " + String.join(", ", shape.optimizerState());
        throw new UserError(file + ": checkpoint section \"" + name + "\": " + (asOtherType ? "not of type " + type
                : "missing") + " (" + why + ")");
    }
}
