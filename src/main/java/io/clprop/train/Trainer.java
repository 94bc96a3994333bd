package io.clprop.train;

import io.clprop.backend.Backend;
import io.clprop.backend.Tensor;
import io.clprop.backend.TransferStats;
import io.clprop.data.Dataset;
import io.clprop.nn.Dropout;
import io.clprop.backend.DropoutMask;
import io.clprop.nn.LossKind;
import io.clprop.nn.Network;
import io.clprop.nn.NetworkSpec;
import io.clprop.nn.optim.Optimizer;
import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.math3.util.MathArrays;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Mini-batch gradient descent over epochs. Per epoch the host shuffles an index permutation with the seeded
 * generator and uploads it (one write); each step gathers its batch on the device, runs forward, loss,
 * backward and the optimizer's update, and leaves the batch loss in a device buffer; the epoch's losses are
 * read back once at its end. Validation loss and accuracy, and test accuracy, are computed on the device
 * and read back as one array of chunk losses and one of predictions per evaluated set.
 *
 * <p>The same seed gives the same initial weights, validation split and batch order on every backend, which
 * is what the device-vs-host training check relies on. With a validation split and a patience, training
 * stops when the validation loss has not improved for that many epochs and the best epoch's weights (kept
 * on the device) are restored.
 */
public final class Trainer implements AutoCloseable {
    /**
     * Every this many steps the loss and weights are checked for NaN/Inf on the device and one float is read
     * back (a blocking wait): 0.01 waits per step, against the dozen launches each step makes.
     */
    public static final int DEFAULT_DIVERGENCE_CHECK_EVERY = 100;

    private final Backend backend;
    private final TrainConfig config;
    private final NetworkSpec spec;
    private final Network network;
    private final Optimizer optimizer;
    /** Null unless training with dropout; each step's mask is drawn from the global step number. */
    private final Dropout dropout;
    /** Replaced (not mutated) on restore, so not final. */
    private Well19937c rng;
    private final DeviceDataset train;
    private final DeviceDataset validation;
    private final DeviceDataset test;
    private final Tensor batchX;
    private final Tensor batchLabels;
    private final Tensor batchTargets;
    private final Tensor permutation;
    private final Tensor stepLosses;
    /** Null without a validation set / a test set. */
    private final Evaluator validationEval;
    private final Evaluator testEval;
    /** Null unless early stopping is on. */
    private final Tensor bestParams;
    private final int[] order;
    private final Dataset trainData;
    /** {@link Dataset#fingerprint()} of trainData, null until a checkpoint needs it. */
    private Long trainFingerprint;
    private final List<EpochMetrics> history = new ArrayList<>();
    /** Null unless shadow checking is on. */
    private ShadowCheck shadow;
    private int checkEvery;
    private long globalStep;
    private int epochsDone;
    private double bestValidationLoss = Double.POSITIVE_INFINITY;
    private int bestEpoch;
    private int epochsSinceBest;
    private boolean stoppedEarly;
    private float lastRate;
    private TransferStats lastStepTransfers;
    /** Null unless a checkpoint is written after every epoch. */
    private java.nio.file.Path checkpoint;
    private TrainingProgress progress = TrainingProgress.none();
    /** Steps between mid-epoch divergence checks (0: only at epoch ends). */
    private int divergenceCheckEvery = DEFAULT_DIVERGENCE_CHECK_EVERY;

    /**
     * A trainer for a network built with {@code Network.builder()}: its hidden layers and loss replace the
     * config's, and its input and output widths must match the data's features and classes.
     */
    public Trainer(Backend backend, NetworkSpec network, TrainConfig config, Dataset trainData, Dataset testData) {
        this(backend, matching(network, config, trainData), trainData, testData);
    }

    private static TrainConfig matching(NetworkSpec network, TrainConfig config, Dataset data) {
        if (network.inputs() != data.featureCount() || network.outputs() != data.numClasses()) {
            throw new IllegalArgumentException("the network takes " + network.inputs() + " inputs and gives "
                    + network.outputs() + " outputs; the data has " + data.featureCount() + " features and "
                    + data.numClasses() + " classes");
        }
        return config.toBuilder().network(network).build();
    }

    /**
     * @param trainData all training samples; the validation fraction of the config is held out of them
     * @param testData  may be null
     */
    public Trainer(Backend backend, TrainConfig config, Dataset trainData, Dataset testData) {
        this.backend = backend;
        this.config = config;
        ValidationSplit split = ValidationSplit.of(trainData, config.validation(), config.seed());
        trainData = split.train();
        this.spec = NetworkSpec.mlp(trainData.featureCount(), config.hidden(), config.activations(),
                trainData.numClasses(), config.loss());
        if (config.batchSize() > trainData.size()) {
            throw new IllegalArgumentException("--batch " + config.batchSize() + " is larger than the training set ("
                    + trainData.size() + " samples)");
        }
        if (testData != null && testData.featureCount() != trainData.featureCount()) {
            throw new IllegalArgumentException("test samples have " + testData.featureCount() + " features, training "
                    + trainData.featureCount());
        }
        this.rng = new Well19937c(config.seed());
        boolean mse = config.loss() == LossKind.MSE;
        int evalRows = Math.max(evalSize(testData), evalSize(split.validation()));
        int maxRows = Math.max(config.batchSize(), evalRows);
        // Before any allocation: a device too small fails with the sizes, not half-way.
        MemoryPlan plan = MemoryPlan.forTrainer(spec, config, trainData, split.validation(), testData, maxRows);
        backend.memoryLimits().ifPresent(plan::check);
        this.dropout = config.dropout() > 0 ? new Dropout(config.dropout(), config.seed()) : null;
        this.network = new Network(backend, spec, maxRows, dropout == null ? 0 : config.batchSize());
        this.optimizer = config.optimizer().create(backend, network.parameterBuffer().size());
        this.train = new DeviceDataset(backend, trainData, mse);
        this.validation = split.validation() == null ? null : new DeviceDataset(backend, split.validation(), mse);
        this.test = testData == null ? null : new DeviceDataset(backend, testData, mse);
        this.batchX = backend.allocate(config.batchSize(), trainData.featureCount());
        this.batchLabels = backend.allocateInt(config.batchSize());
        this.batchTargets = mse ? backend.allocate(config.batchSize(), trainData.numClasses()) : null;
        this.permutation = backend.allocateInt(trainData.size());
        // One slot per step, then the divergence flag, so the epoch's one read brings both.
        this.stepLosses = backend.allocate(1, stepsPerEpoch() + 1);
        this.validationEval = validation == null ? null : new Evaluator(backend, network, validation);
        this.testEval = test == null ? null : new Evaluator(backend, network, test);
        this.bestParams = config.patience() > 0 ? backend.allocate(1, network.parameterBuffer().size()) : null;
        this.trainData = trainData;
        this.order = new int[trainData.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        network.setParameters(config.init().parameters(spec, rng));
    }

    private static int evalSize(Dataset d) {
        return d == null ? 0 : Math.min(Evaluator.CHUNK_ROWS, d.size());
    }

    /**
     * Replays every {@code n}-th step on the CPU path and compares (see {@link ShadowCheck}); 0 turns it off.
     * Needs the host copy of the training data, which the trainer keeps.
     */
    public void setCheckEvery(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("--check-every must be ≥ 0, got " + n);
        }
        if (shadow != null) {
            shadow.close();
            shadow = null;
        }
        checkEvery = n;
        if (n > 0) {
            shadow = new ShadowCheck(spec, trainData, config.batchSize(), config.optimizer(), dropout != null);
        }
    }

    /** Told of each epoch's steps as the host submits them (see {@link TrainingProgress}); none by default. */
    public void setProgress(TrainingProgress progress) {
        this.progress = java.util.Objects.requireNonNull(progress);
    }

    /**
     * Host↔device traffic and blocking waits of the last epoch's steps alone: after the permutation upload,
     * before the read of the epoch's losses. Zero unless shadow checking is on.
     */
    public TransferStats lastEpochStepTransfers() {
        return lastStepTransfers;
    }

    public Network network() {
        return network;
    }

    public NetworkSpec spec() {
        return spec;
    }

    public TrainConfig config() {
        return config;
    }

    public int epochsDone() {
        return epochsDone;
    }

    /** Every epoch's metrics so far (including those before a resume). */
    public List<EpochMetrics> history() {
        return List.copyOf(history);
    }

    /** True when early stopping ended the run; the network then holds the best epoch's weights. */
    public boolean stoppedEarly() {
        return stoppedEarly;
    }

    /** The epoch with the lowest validation loss so far (0 without validation). */
    public int bestEpoch() {
        return bestEpoch;
    }

    public int stepsPerEpoch() {
        return (train.size + config.batchSize() - 1) / config.batchSize();
    }

    /** Training samples after the validation split. */
    public int trainSize() {
        return train.size;
    }

    public int validationSize() {
        return validation == null ? 0 : validation.size;
    }

    /** True when the run has reached its epoch count, its target loss or its early stop. */
    public boolean finished() {
        if (epochsDone >= config.epochs() || stoppedEarly) {
            return true;
        }
        return !history.isEmpty() && history.get(history.size() - 1).trainLoss() <= config.targetLoss();
    }

    /**
     * Trains until the configured number of epochs, until an epoch's training loss is at or below the
     * target, or until early stopping; after each epoch writes the checkpoint (if set), then calls
     * {@code listener}. Returns this call's epochs.
     */
    public List<EpochMetrics> fit(Consumer<EpochMetrics> listener) {
        List<EpochMetrics> all = new ArrayList<>();
        while (!finished()) {
            EpochMetrics m = trainEpoch();
            if (checkpoint != null) {
                Checkpoint.write(checkpoint, snapshot(), config, spec, trainFingerprint());
            }
            all.add(m);
            listener.accept(m);
        }
        return all;
    }

    /** The training samples' fingerprint, computed once (a pass over the data) when a checkpoint first needs it. */
    private long trainFingerprint() {
        if (trainFingerprint == null) {
            trainFingerprint = trainData.fingerprint();
        }
        return trainFingerprint;
    }

    /** Write {@code file} (atomically) at the end of every epoch of {@link #fit}; null turns it off. */
    public void setCheckpoint(java.nio.file.Path file) {
        this.checkpoint = file;
    }

    /**
     * Continues the run saved in {@code file} by a trainer of the same configuration: weights, optimizer
     * state, generator, batch order, early-stopping state and history. The epoch count, target loss,
     * learning rate and schedule may differ ({@link Checkpoint#MAY_CHANGE}); returns the changes other than
     * the epoch count (empty: the run continues exactly as if never interrupted).
     */
    public List<String> resume(java.nio.file.Path file) {
        Checkpoint.Loaded loaded = Checkpoint.read(file, config, spec, train.size, trainFingerprint(),
                optimizer.stateNames());
        restore(loaded.state());
        return loaded.changes();
    }

    /** One epoch of training followed by validation and test evaluations (NaN where there is no such set). */
    public EpochMetrics trainEpoch() {
        long t0 = System.nanoTime();
        double loss = runEpochSteps();
        double seconds = (System.nanoTime() - t0) / 1e9;
        epochsDone++;
        long t1 = System.nanoTime();
        Evaluator.Evaluation val = validationEval == null ? null : validationEval.evaluate();
        double acc = testAccuracy();
        double evalSeconds = (System.nanoTime() - t1) / 1e9;
        EpochMetrics m = new EpochMetrics(epochsDone, loss, val == null ? Double.NaN : val.loss(),
                val == null ? Double.NaN : val.accuracy(), acc, lastRate, seconds,
                train.size / seconds, evalSeconds, shadow == null ? null : shadow.takeSummary());
        history.add(m);
        if (val != null) {
            trackBest(val.loss());
        }
        return m;
    }

    /** Early stopping's bookkeeping: keep the best weights on the device; restore them when patience runs out. */
    private void trackBest(double validationLoss) {
        if (validationLoss < bestValidationLoss) {
            bestValidationLoss = validationLoss;
            bestEpoch = epochsDone;
            epochsSinceBest = 0;
            if (bestParams != null) {
                backend.copy(network.parameterBuffer(), bestParams);
            }
        } else {
            epochsSinceBest++;
            if (config.patience() > 0 && epochsSinceBest >= config.patience()) {
                backend.copy(bestParams, network.parameterBuffer());
                stoppedEarly = true;
            }
        }
    }

    /** Runs the first {@code n} steps of a new epoch's order without reading anything back (start-up timing). */
    public void trainSteps(int n) {
        startEpoch();
        int b = config.batchSize();
        for (int s = 0; s < Math.min(n, stepsPerEpoch()); s++) {
            step(s, s * b, Math.min(b, train.size - s * b));
        }
    }

    /** A new batch order from the seeded generator, uploaded once for the epoch. */
    private void startEpoch() {
        MathArrays.shuffle(order, rng);
        backend.writeInt(permutation, order);
    }

    /** Shuffle, all steps, one read-back; returns the epoch's mean training loss (weighted by batch rows). */
    private double runEpochSteps() {
        startEpoch();
        int b = config.batchSize();
        int steps = stepsPerEpoch();
        TransferStats beforeSteps = backend.transfers().snapshot();
        progress.startEpoch(epochsDone + 1, steps);
        for (int s = 0; s < steps; s++) {
            step(s, s * b, Math.min(b, train.size - s * b));
            progress.step();
            if (divergenceCheckEvery > 0 && (s + 1) % divergenceCheckEvery == 0 && s + 1 < steps) {
                flagDivergence(s + 1);
                if (backend.read(stepLosses.view(steps, 1, 1))[0] != 0) {
                    throw diverged(s + 1);
                }
            }
        }
        lastStepTransfers = backend.transfers().since(beforeSteps);
        flagDivergence(steps);
        float[] losses = backend.read(stepLosses);
        if (losses[steps] != 0) {
            throw diverged(steps);
        }
        progress.endEpoch();
        double sum = 0;
        for (int s = 0; s < steps; s++) {
            sum += (double) losses[s] * Math.min(b, train.size - s * b);
        }
        return sum / train.size;
    }

    /** Sets the flag slot if a loss of this epoch's first {@code steps} steps or a weight is NaN or infinite. */
    private void flagDivergence(int steps) {
        int flag = stepsPerEpoch();
        backend.flagNonFinite(stepLosses.view(0, 1, steps), stepLosses, flag);
        backend.flagNonFinite(network.parameterBuffer(), stepLosses, flag);
    }

    /** The error for a flag raised within the first {@code steps} steps: names the first bad step if a loss is. */
    private TrainingDiverged diverged(int steps) {
        float[] losses = backend.read(stepLosses);
        int epoch = epochsDone + 1;
        for (int s = 0; s < steps; s++) {
            if (!Float.isFinite(losses[s])) {
                return new TrainingDiverged(String.format("training diverged at epoch %d step %d of %d: the loss is "
                        + "%s (lower --lr, or add --weight-decay)", epoch, s + 1, stepsPerEpoch(), losses[s]));
            }
        }
        return new TrainingDiverged(String.format("training diverged in epoch %d by step %d of %d: a weight is NaN or "
                + "infinite (lower --lr)", epoch, steps, stepsPerEpoch()));
    }

    /** Steps between divergence checks inside an epoch (0: at epoch ends only, from the one read there). */
    public void setDivergenceCheckEvery(int steps) {
        if (steps < 0) {
            throw new IllegalArgumentException("--nan-check-every must be ≥ 0, got " + steps);
        }
        divergenceCheckEvery = steps;
    }

    /** One step on rows permutation[start, start + rows): gather, forward, loss, backward, update. */
    private void step(int index, int start, int rows) {
        Tensor x = batchX.firstRows(rows);
        Tensor labels = batchLabels.firstRows(rows);
        backend.gatherRows(train.features, permutation, start, x);
        backend.gatherRows(train.labels, permutation, start, labels);
        Tensor targets = null;
        if (batchTargets != null) {
            targets = batchTargets.firstRows(rows);
            backend.gatherRows(train.targets, permutation, start, targets);
        }
        boolean check = shadow != null && globalStep % checkEvery == 0;
        float[] before = check ? network.parameters() : null;
        List<float[]> stateBefore = check ? readState() : null;
        // The mask is a function of the global step (carried by checkpoints), so a resumed run and the shadow
        // check's CPU replay draw the same one.
        DropoutMask mask = dropout == null ? null : dropout.mask(globalStep);
        network.computeGradients(x, labels, targets, stepLosses, index, mask);
        lastRate = (float) config.schedule().rate(config.learningRate(), epochsDone, index, stepsPerEpoch(),
                config.epochs());
        optimizer.step(network, lastRate);
        if (check) {
            shadow.check(epochsDone + 1, globalStep, Arrays.copyOfRange(order, start, start + rows), mask, before,
                    stateBefore, optimizer.steps() - 1, lastRate, network.gradients(), network.parameters());
        }
        globalStep++;
    }

    private List<float[]> readState() {
        List<float[]> out = new ArrayList<>();
        for (Tensor t : optimizer.state()) {
            out.add(backend.read(t));
        }
        return out;
    }

    /** Fraction of the test set classified correctly (NaN without a test set), from the current weights. */
    public double testAccuracy() {
        return testEval == null ? Double.NaN : testEval.evaluate().accuracy();
    }

    // ---- checkpoints ----------------------------------------------------------------------------------

    /** The state at the current epoch boundary (reads the weights and optimizer state back once). */
    public TrainerState snapshot() {
        List<float[]> state = readState();
        return new TrainerState(epochsDone, globalStep, network.parameters(), optimizer.stateNames(), state,
                optimizer.steps(), RngState.write(rng), order.clone(), bestParams == null ? null : backend.read(bestParams),
                bestValidationLoss, bestEpoch, epochsSinceBest, List.copyOf(history));
    }

    /**
     * Continues from {@code s}, taken by a trainer with the same configuration and data. The state is
     * checked whole ({@link TrainerStateCheck}) before any of it is written to the device: its batch order
     * becomes the gather kernel's row indices, its arrays the sizes of writes.
     *
     * @throws IllegalArgumentException naming the value this run cannot continue from
     */
    public void restore(TrainerState s) {
        try {
            TrainerStateCheck.check(s, TrainerStateCheck.Shape.of(config, spec, train.size, optimizer.stateNames()));
        } catch (TrainerStateCheck.Invalid e) {
            throw new IllegalArgumentException("checkpoint state " + e.getMessage());
        }
        network.setParameters(s.parameters());
        for (int i = 0; i < s.optimizerState().size(); i++) {
            backend.write(optimizer.state().get(i), s.optimizerState().get(i));
        }
        optimizer.setSteps(s.optimizerSteps());
        rng = RngState.read(s.rngState());
        System.arraycopy(s.order(), 0, order, 0, order.length);
        if (bestParams != null) {
            backend.write(bestParams, s.bestParameters());
        }
        epochsDone = s.epochsDone();
        globalStep = s.globalStep();
        bestValidationLoss = s.bestValidationLoss();
        bestEpoch = s.bestEpoch();
        epochsSinceBest = s.epochsSinceBest();
        history.clear();
        history.addAll(s.history());
        // A run that had stopped early was checkpointed after its best weights were restored.
        stoppedEarly = config.patience() > 0 && epochsSinceBest >= config.patience();
    }

    @Override
    public void close() {
        if (shadow != null) {
            shadow.close();
        }
        optimizer.close();
        network.close();
        train.close();
        if (validation != null) {
            validation.close();
        }
        if (test != null) {
            test.close();
        }
        if (validationEval != null) {
            validationEval.close();
        }
        if (testEval != null) {
            testEval.close();
        }
        for (Tensor t : new Tensor[]{bestParams, batchTargets}) {
            if (t != null) {
                backend.free(t);
            }
        }
        backend.free(batchX);
        backend.free(batchLabels);
        backend.free(permutation);
        backend.free(stepLosses);
    }
}
