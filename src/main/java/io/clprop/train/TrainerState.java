package io.clprop.train;

import java.util.List;

/**
 * Everything a run needs to continue exactly where it stopped, taken at an epoch boundary: the weights,
 * the optimizer's state and step count, the random generator (serialized) and the batch order it last
 * shuffled, early stopping's best weights and counters, and the metrics so far. A run restored from it
 * on the CPU path ends with the same weights, bit for bit, as one that never stopped.
 */
public record TrainerState(int epochsDone, long globalStep, float[] parameters, List<String> optimizerStateNames,
                           List<float[]> optimizerState, long optimizerSteps, byte[] rngState, int[] order,
                           float[] bestParameters, double bestValidationLoss, int bestEpoch, int epochsSinceBest,
                           List<EpochMetrics> history) implements java.io.Serializable {
}
