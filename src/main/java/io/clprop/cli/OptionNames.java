package io.clprop.cli;

import io.clprop.util.Wording;

import java.util.Map;

/**
 * The command line's names for the library's settings: a library message names a setting by its field
 * ({@link Wording#setting}), and the command line shows the option a user typed. One table for every
 * command, since an option means the same setting wherever it appears.
 */
final class OptionNames {
    /** Library setting → option. */
    static final Map<String, String> OPTIONS = Map.ofEntries(
            // TrainConfig
            Map.entry("hidden", "--hidden"),
            Map.entry("layers", "--layers"),
            Map.entry("activations", "--activation"),
            Map.entry("loss", "--loss"),
            Map.entry("learningRate", "--lr"),
            Map.entry("batchSize", "--batch"),
            Map.entry("epochs", "--epochs"),
            Map.entry("targetLoss", "--target-loss"),
            Map.entry("seed", "--seed"),
            Map.entry("init", "--init"),
            Map.entry("initFrom", "--init-from"),
            Map.entry("schedule", "--schedule"),
            Map.entry("validation", "--validation"),
            Map.entry("patience", "--patience"),
            Map.entry("dropout", "--dropout"),
            Map.entry("checkEvery", "--check-every"),
            Map.entry("divergenceCheckEvery", "--nan-check-every"),
            // OptimizerConfig
            Map.entry("optimizer", "--optimizer"),
            Map.entry("momentum", "--momentum"),
            Map.entry("beta1", "--beta1"),
            Map.entry("beta2", "--beta2"),
            Map.entry("epsilon", "--epsilon"),
            Map.entry("weightDecay", "--weight-decay"),
            // data
            Map.entry("trainData", "--data"),
            Map.entry("testData", "--test-data"),
            Map.entry("trainLimit", "--train-limit"),
            Map.entry("testLimit", "--test-limit"),
            Map.entry("standardize", "--standardize"),
            Map.entry("missing", "--missing"),
            Map.entry("labelColumn", "--label-column"),
            Map.entry("keepColumns", "--keep-columns"),
            Map.entry("ignoreColumns", "--ignore-columns"),
            Map.entry("noHeader", "--no-header"),
            Map.entry("inputShape", "--input-shape"),
            // backends and outputs
            Map.entry("device", "--device"),
            Map.entry("buildOptions", "--build-option"),
            Map.entry("gemmConfig", "--gemm-config"),
            Map.entry("metricsFile", "--metrics-json"),
            Map.entry("checkpoint", "--checkpoint"),
            Map.entry("resume", "--resume"),
            Map.entry("modelFile", "--save"),
            Map.entry("plotFile", "--plot"));

    private OptionNames() {
    }

    /** A library message as the command line shows it: each setting by its option name. */
    static String render(String text) {
        return Wording.render(text, OPTIONS::get);
    }
}
