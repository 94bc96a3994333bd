package io.clprop.train;

import io.clprop.nn.Activation;
import io.clprop.nn.Init;
import io.clprop.nn.LossKind;

import java.util.Arrays;
import java.util.List;

/**
 * What `clprop train` was asked to do. Defaults are the reference run: 784-256-128-10, ReLU, softmax-CE,
 * SGD η = 0.1, batch 128, 10 epochs.
 */
public record TrainConfig(int[] hidden, List<Activation> activations, LossKind loss, float learningRate,
                          int batchSize, int epochs, double targetLoss, long seed, Init init) {

    public static final int[] DEFAULT_HIDDEN = {256, 128};

    public static TrainConfig defaults() {
        return new TrainConfig(DEFAULT_HIDDEN, Activation.RELU, LossKind.SOFTMAX_CE, 0.1f, 128, 10, 0.0, 1L, Init.AUTO);
    }

    /** One activation for every hidden layer. */
    public TrainConfig(int[] hidden, Activation activation, LossKind loss, float learningRate, int batchSize,
                       int epochs, double targetLoss, long seed, Init init) {
        this(hidden, List.of(activation), loss, learningRate, batchSize, epochs, targetLoss, seed, init);
    }

    public TrainConfig {
        hidden = hidden.clone();
        activations = List.copyOf(activations);
        if (activations.size() != 1 && activations.size() != hidden.length) {
            throw new IllegalArgumentException("--activation: give one activation, or one per hidden layer ("
                    + hidden.length + "), got " + activations.size());
        }
        for (int h : hidden) {
            if (h <= 0) {
                throw new IllegalArgumentException("--hidden: layer widths must be positive, got " + h);
            }
        }
        if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("--lr must be a positive number, got " + learningRate);
        }
        if (batchSize <= 0) {
            throw new IllegalArgumentException("--batch must be positive, got " + batchSize);
        }
        if (epochs <= 0) {
            throw new IllegalArgumentException("--epochs must be positive, got " + epochs);
        }
        if (Double.isNaN(targetLoss) || targetLoss < 0) {
            throw new IllegalArgumentException("--target-loss must be ≥ 0, got " + targetLoss);
        }
    }

    public TrainConfig withEpochs(int e) {
        return new TrainConfig(hidden, activations, loss, learningRate, batchSize, e, targetLoss, seed, init);
    }

    public TrainConfig withSeed(long s) {
        return new TrainConfig(hidden, activations, loss, learningRate, batchSize, epochs, targetLoss, s, init);
    }

    public TrainConfig withInit(Init i) {
        return new TrainConfig(hidden, activations, loss, learningRate, batchSize, epochs, targetLoss, seed, i);
    }

    public TrainConfig withBatchSize(int b) {
        return new TrainConfig(hidden, activations, loss, learningRate, b, epochs, targetLoss, seed, init);
    }

    /** "relu" or "relu,tanh": as --activation takes it. */
    public String activationNames() {
        StringBuilder sb = new StringBuilder();
        for (Activation a : activations) {
            sb.append(sb.length() == 0 ? "" : ",").append(a.cliName());
        }
        return sb.toString();
    }

    @Override
    public int[] hidden() {
        return hidden.clone();
    }

    @Override
    public String toString() {
        return "hidden=" + Arrays.toString(hidden) + " activation=" + activationNames() + " loss=" + loss.cliName
                + " lr=" + learningRate + " batch=" + batchSize + " epochs=" + epochs + " target-loss=" + targetLoss
                + " seed=" + seed + " init=" + init.cliName();
    }
}
