package io.clprop.train;

import io.clprop.nn.Activation;
import io.clprop.nn.Init;
import io.clprop.nn.LossKind;

import java.util.Arrays;

/**
 * What `clprop train` was asked to do. Defaults are the reference run: 784-256-128-10, ReLU, softmax-CE,
 * SGD η = 0.1, batch 128, 10 epochs.
 */
public record TrainConfig(int[] hidden, Activation activation, LossKind loss, float learningRate, int batchSize,
                          int epochs, double targetLoss, long seed, Init init) {

    public static final int[] DEFAULT_HIDDEN = {256, 128};

    public static TrainConfig defaults() {
        return new TrainConfig(DEFAULT_HIDDEN, Activation.RELU, LossKind.SOFTMAX_CE, 0.1f, 128, 10, 0.0, 1L, Init.AUTO);
    }

    public TrainConfig {
        hidden = hidden.clone();
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
        return new TrainConfig(hidden, activation, loss, learningRate, batchSize, e, targetLoss, seed, init);
    }

    public TrainConfig withSeed(long s) {
        return new TrainConfig(hidden, activation, loss, learningRate, batchSize, epochs, targetLoss, s, init);
    }

    public TrainConfig withInit(Init i) {
        return new TrainConfig(hidden, activation, loss, learningRate, batchSize, epochs, targetLoss, seed, i);
    }

    public TrainConfig withBatchSize(int b) {
        return new TrainConfig(hidden, activation, loss, learningRate, b, epochs, targetLoss, seed, init);
    }

    @Override
    public int[] hidden() {
        return hidden.clone();
    }

    @Override
    public String toString() {
        return "hidden=" + Arrays.toString(hidden) + " activation=" + activation.cliName() + " loss=" + loss.cliName
                + " lr=" + learningRate + " batch=" + batchSize + " epochs=" + epochs + " target-loss=" + targetLoss
                + " seed=" + seed + " init=" + init.cliName();
    }
}
