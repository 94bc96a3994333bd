package io.clprop.train;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.clprop.nn.optim.OptimizerConfig;

/** A {@link TrainConfig} as JSON, for the metrics file, model provenance and checkpoints. */
public final class ConfigJson {
    private ConfigJson() {
    }

    public static JsonObject toJson(TrainConfig config) {
        JsonObject c = new JsonObject();
        JsonArray hidden = new JsonArray();
        for (int h : config.hidden()) {
            hidden.add(h);
        }
        c.add("hidden", hidden);
        if (config.layers() != null) {
            c.addProperty("layers", config.layers().describe());
        }
        c.addProperty("activation", config.activationNames());
        c.addProperty("loss", config.loss().specName);
        OptimizerConfig o = config.optimizer();
        c.addProperty("optimizer", o.kind().specName);
        switch (o.kind()) {
            case MOMENTUM, NESTEROV -> c.addProperty("momentum", o.momentum());
            case ADAM -> {
                c.addProperty("beta1", o.beta1());
                c.addProperty("beta2", o.beta2());
                c.addProperty("epsilon", o.epsilon());
            }
            default -> {
            }
        }
        c.addProperty("weight_decay", o.weightDecay());
        c.addProperty("lr", config.learningRate());
        c.addProperty("schedule", config.schedule().describe());
        c.addProperty("batch", config.batchSize());
        c.addProperty("epochs", config.epochs());
        c.addProperty("target_loss", config.targetLoss());
        c.addProperty("validation", config.validation());
        c.addProperty("patience", config.patience());
        c.addProperty("dropout", config.dropout());
        c.addProperty("seed", config.seed());
        c.addProperty("init", config.init().specName());
        // Always present (null: drawn), so that a checkpoint of a run from given weights is resumed only with them.
        c.add("init_from", config.initialWeights() == null ? com.google.gson.JsonNull.INSTANCE
                : config.initialWeights().toJson());
        return c;
    }
}
