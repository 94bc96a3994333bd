package io.clprop.train;

import io.clprop.nn.NetworkSpec;

import java.util.List;

/**
 * Checks a {@link TrainerState} against the run that is to continue from it, on the host, before any of it
 * reaches the device. Its values become row indices for the gather kernel (the batch order), sizes of
 * host-to-device writes (every weight-sized array), indices into the generator's arrays, and the counters
 * the run continues from; one out of range either aborts the JVM in a kernel or fails later with an
 * exception in the middle of training. What is checked is exactly what the trainer writes. It runs once on
 * every state a trainer continues from: on a checkpoint as it is read ({@link Checkpoint#read}, naming the
 * file), and on a state a caller gives {@link Trainer#restore} directly.
 */
final class TrainerStateCheck {
    private TrainerStateCheck() {
    }

    /** What the run expects of a state: the network's size, the optimizer's buffers, the data and batching. */
    record Shape(String network, long parameterCount, String optimizer, List<String> optimizerState,
                 boolean earlyStopping, boolean validation, int trainSamples, int stepsPerEpoch) {

        static Shape of(TrainConfig config, NetworkSpec spec, int trainSamples, List<String> optimizerState) {
            return new Shape(spec.describe(), spec.parameterCount(), config.optimizer().kind().specName,
                    List.copyOf(optimizerState), config.patience() > 0, config.validation() > 0, trainSamples,
                    (trainSamples + config.batchSize() - 1) / config.batchSize());
        }
    }

    /** A value the run cannot continue from: {@code what} is 'section "order"' or 'field "global_step"'. */
    static final class Invalid extends RuntimeException {
        Invalid(String what, String problem) {
            super(what + ": " + problem);
        }
    }

    static void check(TrainerState s, Shape shape) {
        weights("parameters", s.parameters(), shape, true);
        if (!s.optimizerStateNames().equals(shape.optimizerState())
                || s.optimizerState().size() != shape.optimizerState().size()) {
            throw new Invalid("optimizer state", s.optimizerStateNames() + ", " + shape.optimizer() + " keeps "
                    + shape.optimizerState());
        }
        // A non-finite momentum or moment estimate makes that step's weights non-finite (every update adds a
        // multiple of it), and the divergence check stops such a run before its checkpoint is written: so in a
        // checkpoint with finite weights a non-finite state is damage, refused like a damaged weight.
        for (int i = 0; i < s.optimizerState().size(); i++) {
            weights(s.optimizerStateNames().get(i), s.optimizerState().get(i), shape, true);
        }
        if ((s.bestParameters() != null) != shape.earlyStopping()) {
            throw new Invalid(section("best_parameters"), shape.earlyStopping()
                    ? "missing (the run uses early stopping)" : "present, but the run does not use early stopping");
        }
        if (s.bestParameters() != null) {
            weights("best_parameters", s.bestParameters(), shape, true);
        }
        order(s.order(), shape.trainSamples());
        counters(s, shape);
        history(s.history(), s.epochsDone());
        try {
            RngState.read(s.rngState());
        } catch (IllegalArgumentException e) {
            throw new Invalid(field("rng"), e.getMessage());
        }
    }

    /**
     * A weight-sized array: written to a device buffer of the network's parameter count, so it must have
     * exactly that length. Weights must be finite: the trainer checks the weights for NaN and infinities at
     * every epoch's end and stops a diverged run before it writes its checkpoint, so it never writes one,
     * and best_parameters is a copy of an epoch's checked weights.
     */
    private static void weights(String name, float[] values, Shape shape, boolean finite) {
        if (values.length != shape.parameterCount()) {
            throw new Invalid(section(name), values.length + " values, expected " + shape.parameterCount()
                    + " (the " + shape.network() + " network's parameter count)");
        }
        if (finite) {
            for (int i = 0; i < values.length; i++) {
                if (!Float.isFinite(values[i])) {
                    throw new Invalid(section(name), "value " + values[i] + " at position " + i + " is not finite "
                            + "(clprop stops a diverged run before it writes a checkpoint)");
                }
            }
        }
    }

    /**
     * The batch order: row indices for the gather kernel, which reads them without bounds checks. The
     * trainer only ever shuffles 0..n-1, so anything but a permutation of it (an index outside, or a
     * repeat, which is in bounds but draws one sample twice an epoch) is not a state it wrote.
     */
    private static void order(int[] order, int n) {
        if (order.length != n) {
            throw new Invalid(section("order"), order.length + " values, expected " + n + " (one per training sample)");
        }
        int[] firstAt = new int[n];
        java.util.Arrays.fill(firstAt, -1);
        for (int i = 0; i < n; i++) {
            int v = order[i];
            if (v < 0 || v >= n) {
                throw new Invalid(section("order"), "value " + v + " at position " + i + " is outside 0.." + (n - 1));
            }
            if (firstAt[v] >= 0) {
                throw new Invalid(section("order"), "value " + v + " at position " + i + " repeats position "
                        + firstAt[v] + " (the batch order is a permutation of 0.." + (n - 1) + ")");
            }
            firstAt[v] = i;
        }
    }

    /**
     * The counters. Checkpoints are written at epoch ends only ({@link Trainer#fit}), after every step of
     * the epoch, and each step makes exactly one optimizer update, so global_step is epochs_done times the
     * steps per epoch and optimizer_steps equals it. Early stopping's bookkeeping runs once per epoch with a
     * validation set: best_epoch is the last epoch that improved (0: none yet) and epochs_since_best counts
     * the epochs since; without a validation set both stay 0.
     */
    private static void counters(TrainerState s, Shape shape) {
        int epochs = s.epochsDone();
        if (epochs < 0) {
            throw new Invalid(field("epochs_done"), epochs + " is outside 0.." + Integer.MAX_VALUE);
        }
        long steps = (long) epochs * shape.stepsPerEpoch(); // < 2^62: both factors are ints
        if (s.globalStep() != steps) {
            throw new Invalid(field("global_step"), s.globalStep() + ", expected " + steps + " (epochs_done " + epochs
                    + " × " + shape.stepsPerEpoch() + " steps per epoch; checkpoints are taken at epoch ends)");
        }
        if (s.optimizerSteps() != s.globalStep()) {
            throw new Invalid(field("optimizer_steps"), s.optimizerSteps() + ", expected " + s.globalStep()
                    + " (one update per step: global_step)");
        }
        if (s.bestEpoch() < 0 || s.bestEpoch() > epochs) {
            throw new Invalid(field("best_epoch"), s.bestEpoch() + " is outside 0.." + epochs);
        }
        if (s.epochsSinceBest() < 0 || s.epochsSinceBest() > epochs) {
            throw new Invalid(field("epochs_since_best"), s.epochsSinceBest() + " is outside 0.." + epochs);
        }
        if (!shape.validation() && s.bestEpoch() != 0) {
            throw new Invalid(field("best_epoch"), s.bestEpoch() + ", expected 0 (the run has no validation set)");
        }
        int since = shape.validation() ? epochs - s.bestEpoch() : 0;
        if (s.epochsSinceBest() != since) {
            throw new Invalid(field("epochs_since_best"), s.epochsSinceBest() + ", expected " + since
                    + (shape.validation() ? " (epochs_done " + epochs + " − best_epoch " + s.bestEpoch() + ")"
                    : " (the run has no validation set)"));
        }
    }

    /** One entry per epoch done, in order. */
    private static void history(List<EpochMetrics> history, int epochs) {
        if (history.size() != epochs) {
            throw new Invalid(field("history"), history.size() + " entries, expected " + epochs + " (one per epoch done)");
        }
        for (int i = 0; i < epochs; i++) {
            if (history.get(i).epoch() != i + 1) {
                throw new Invalid(field("history"), "entry " + (i + 1) + " is of epoch " + history.get(i).epoch()
                        + ", expected " + (i + 1));
            }
        }
    }

    private static String section(String name) {
        return "section \"" + name + "\"";
    }

    private static String field(String name) {
        return "field \"" + name + "\"";
    }
}
