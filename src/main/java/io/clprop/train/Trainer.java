package io.clprop.train;

import io.clprop.backend.Backend;
import io.clprop.backend.ReplicaExchange;
import io.clprop.backend.Tensor;
import io.clprop.backend.TransferStats;
import io.clprop.data.Dataset;
import io.clprop.nn.Dropout;
import io.clprop.backend.DropoutMask;
import io.clprop.nn.LossKind;
import io.clprop.nn.Network;
import io.clprop.nn.NetworkSpec;
import io.clprop.nn.optim.Optimizer;
import io.clprop.util.InvalidSetting;
import org.apache.commons.math3.random.Well19937c;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

import static io.clprop.util.Wording.setting;

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
 * on the device) are restored ({@link EarlyStopping}).
 *
 * <p>On several devices (synchronous data parallelism) each holds a {@link Replica}: the same weights and
 * the whole training set. Each step's batch is cut by a {@link BatchSplit}; every device gathers its rows,
 * runs forward and backward on them (its dropout mask the whole batch's for those rows), their weighted sum —
 * the mean over the whole batch — goes to the first device, which applies the update and sends the new
 * weights to the others ({@link ReplicaExchange}, which says why), so every device holds the same bits.
 * Evaluation, early stopping, the optimizer state and checkpoints are the first device's, which is why a
 * checkpoint does not depend on the number of devices.
 */
public final class Trainer implements AutoCloseable {
    /** The first device's; evaluation, early stopping and checkpoints use it. */
    private final Backend backend;
    /** One per device, the first device's first; the fields below that name no device are that replica's. */
    private final List<Replica> replicas;
    /** Replaced by {@link #balanceBySpeed}, so not final. */
    private BatchSplit batchSplit;
    /** Which devices have a share of the batches (the others are sent the weights at epoch ends only). */
    private boolean[] computing;
    /** Null on one device. */
    private final ReplicaExchange exchange;
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
    private final Batches batches;
    private final StepLosses stepLosses;
    /** Null without a validation set / a test set. */
    private final Evaluator validationEval;
    private final Evaluator testEval;
    private final EarlyStopping earlyStopping;
    private final Dataset trainData;
    /** {@link Dataset#fingerprint()} of trainData, null until a checkpoint needs it. */
    private Long trainFingerprint;
    private final List<EpochMetrics> history = new ArrayList<>();
    /** Null unless shadow checking is on. */
    private final ShadowCheck shadow;
    private long globalStep;
    private int epochsDone;
    private float lastRate;
    private TransferStats lastStepTransfers;

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
     * @throws InvalidSetting if the batch is larger than the training set left by the validation split
     */
    public Trainer(Backend backend, TrainConfig config, Dataset trainData, Dataset testData) {
        this(List.of(backend), BatchSplit.even(1), config, trainData, testData);
    }

    /**
     * A trainer on several devices (see the class comment); {@code devices.get(0)} is the one that evaluates
     * and whose weights are read. One device is the plain trainer.
     *
     * @param batchSplit how each batch is shared among the devices, one share per device
     */
    public Trainer(List<? extends Backend> devices, BatchSplit batchSplit, TrainConfig config, Dataset trainData,
                   Dataset testData) {
        if (devices.isEmpty() || batchSplit.devices() != devices.size()) {
            throw new IllegalArgumentException(devices.size() + " devices, a batch split for " + batchSplit.devices());
        }
        Backend backend = devices.get(0);
        this.backend = backend;
        useSplit(batchSplit);
        this.config = config;
        ValidationSplit split = ValidationSplit.of(trainData, config.validation(), config.seed());
        trainData = split.train();
        this.spec = specFor(config, trainData);
        if (config.batchSize() > trainData.size()) {
            String left = trainData.size() + " samples" + (config.validation() > 0 ? " after the validation split" : "");
            throw new InvalidSetting(setting("batchSize") + " " + config.batchSize() + " is larger than the training set ("
                    + left + ")");
        }
        if (testData != null && testData.featureCount() != trainData.featureCount()) {
            throw new IllegalArgumentException("test samples have " + testData.featureCount() + " features, training "
                    + trainData.featureCount());
        }
        this.rng = new Well19937c(config.seed());
        // Given weights are checked against the network before anything is allocated. Drawn ones are drawn
        // once the memory plan has passed (a network too large for the device must not fill the host's heap
        // first), still before the generator shuffles, so that the same seed gives the same run.
        float[] given = config.initialWeights() != null ? config.initialWeights().parametersFor(spec) : null;
        boolean mse = config.loss() == LossKind.MSE;
        int evalRows = Math.max(evalSize(testData), evalSize(split.validation()));
        int maxRows = Math.max(config.batchSize(), evalRows);
        // Before any allocation: a device too small fails with the sizes, not half-way.
        // The first device's plan covers the others' (they hold no validation or test set).
        MemoryPlan plan = MemoryPlan.forTrainer(spec, config, trainData, split.validation(), testData, maxRows);
        for (Backend b : devices) {
            b.memoryLimits().ifPresent(plan::check);
        }
        this.dropout = config.dropout() > 0 ? new Dropout(config.dropout(), config.seed()) : null;
        int dropoutRows = dropout == null ? 0 : config.batchSize();
        List<Replica> made = new ArrayList<>();
        try {
            for (int r = 0; r < devices.size(); r++) {
                made.add(new Replica(devices.get(r), spec, config, trainData, r == 0 ? maxRows : config.batchSize(),
                        dropoutRows, mse, r == 0));
            }
        } catch (RuntimeException e) {
            made.forEach(Replica::close);
            throw e;
        }
        this.replicas = List.copyOf(made);
        Replica first = replicas.get(0);
        this.network = first.network;
        this.optimizer = first.optimizer;
        this.train = first.train;
        this.batches = first.batches;
        this.stepLosses = first.stepLosses;
        this.exchange = devices.size() == 1 ? null : ReplicaExchange.over(devices,
                replicas.stream().map(r -> r.network.gradientBuffer()).toList(),
                replicas.stream().map(r -> r.network.parameterBuffer()).toList());
        this.validation = split.validation() == null ? null : new DeviceDataset(backend, split.validation(), mse);
        this.test = testData == null ? null : new DeviceDataset(backend, testData, mse);
        this.validationEval = validation == null ? null : new Evaluator(backend, network, validation);
        this.testEval = test == null ? null : new Evaluator(backend, network, test);
        this.earlyStopping = new EarlyStopping(backend, network.parameterBuffer(), config.patience());
        this.trainData = trainData;
        float[] initial = given != null ? given : config.init().parameters(spec, rng);
        for (Replica r : replicas) {
            r.network.setParameters(initial);
        }
        // Replays every checkEvery-th step on the CPU path (needs the host copy of the training data); it takes
        // the device's weights before each step it checks, so it starts from the given weights as the device does.
        this.shadow = config.checkEvery() > 0
                ? new ShadowCheck(spec, trainData, config.batchSize(), config.optimizer(), dropout != null) : null;
    }

    /** The network a config describes for this data: its layer list, or its MLP widths and activations. */
    public static NetworkSpec specFor(TrainConfig config, Dataset data) {
        return config.layers() != null
                ? config.layers().toSpec(data.featureCount(), data.imageShape(), data.numClasses(), config.loss())
                : NetworkSpec.mlp(data.featureCount(), config.hidden(), config.activations(), data.numClasses(),
                        config.loss());
    }

    private static int evalSize(Dataset d) {
        return d == null ? 0 : Math.min(Evaluator.CHUNK_ROWS, d.size());
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

    /** How many devices train (1: the plain trainer). */
    public int devices() {
        return replicas.size();
    }

    /** Device {@code r}'s copy of the weights, read back (every device holds the same ones). */
    public float[] weightsOnDevice(int r) {
        return replicas.get(r).network.parameters();
    }

    /** One device's measured cost of a step's forward and backward pass: fixed, plus per row. */
    public record StepCost(double fixedMs, double msPerRow) {
    }

    /**
     * For devices of unequal speed: times each device alone on {@code timed} passes of the full batch and of
     * an eighth of it (after one untimed pass, so kernels are built and caches warm), fits each a cost of
     * fixed + per-row time, and shares every later batch so that all devices finish it together
     * ({@link BatchSplit#forCosts}); a device too slow to help gets no rows. Returns the fitted costs. Only
     * the shares change: the timed passes write nothing but the gradients and a loss slot, which the first
     * step overwrites. The shares change rounding, not the mathematics: the run stays within the training
     * cross-check's tolerance of an even split, but is not bit-reproducible, since timings differ between runs.
     */
    public List<StepCost> balanceBySpeed(int timed) {
        if (timed < 1) {
            throw new IllegalArgumentException("timed passes must be at least 1, got " + timed);
        }
        int rows = batches.rows(0), small = Math.max(1, rows / 8);
        List<StepCost> costs = new ArrayList<>();
        double[] fixed = new double[replicas.size()], perRow = new double[replicas.size()];
        for (int r = 0; r < replicas.size(); r++) {
            Replica rep = replicas.get(r);
            double full = timePasses(rep, rows, timed), part = timePasses(rep, small, timed);
            // Timing noise can make the small pass look as slow as the full one: then take the full pass's
            // time as all per-row cost (a split in proportion to speed).
            double slope = rows > small ? (full - part) / (rows - small) : 0;
            if (!(slope > 0)) {
                slope = full / rows;
            }
            perRow[r] = slope;
            fixed[r] = Math.max(0, full - slope * rows);
            costs.add(new StepCost(fixed[r], perRow[r]));
        }
        useSplit(BatchSplit.forCosts(fixed, perRow, rows));
        return costs;
    }

    private void useSplit(BatchSplit split) {
        this.batchSplit = split;
        double[] shares = split.shares();
        this.computing = new boolean[shares.length];
        for (int r = 0; r < shares.length; r++) {
            computing[r] = shares[r] > 0;
        }
    }

    /** Milliseconds a pass of {@code rows} rows takes on {@code rep} alone, the mean over {@code timed} (one untimed first). */
    private static double timePasses(Replica rep, int rows, int timed) {
        long t0 = 0;
        for (int i = 0; i <= timed; i++) {
            if (i == 1) {
                rep.backend.finish();
                t0 = System.nanoTime();
            }
            Batches.Batch b = rep.batches.gather(0, 0, rows);
            rep.network.computeGradients(b.x(), b.labels(), b.targets(), rep.stepLosses.buffer(), 0, null);
        }
        rep.backend.finish();
        return (System.nanoTime() - t0) / 1e6 / timed;
    }

    /** How each batch is shared among the devices. */
    public BatchSplit batchSplit() {
        return batchSplit;
    }

    /** How several devices exchange gradients and weights, and what a step moves; empty on one device. */
    public java.util.Optional<ReplicaExchange> exchange() {
        return java.util.Optional.ofNullable(exchange);
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
        return earlyStopping.stopped();
    }

    /** The epoch with the lowest validation loss so far (0 without validation). */
    public int bestEpoch() {
        return earlyStopping.bestEpoch();
    }

    public int stepsPerEpoch() {
        return batches.steps();
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
        if (epochsDone >= config.epochs() || earlyStopping.stopped()) {
            return true;
        }
        return !history.isEmpty() && history.get(history.size() - 1).trainLoss() <= config.targetLoss();
    }

    /** {@link #fit(TrainingProgress, Path, Consumer)} without a progress display or checkpoint. */
    public List<EpochMetrics> fit(Consumer<EpochMetrics> listener) {
        return fit(TrainingProgress.none(), null, listener);
    }

    /**
     * Trains until the configured number of epochs, until an epoch's training loss is at or below the
     * target, or until early stopping; after each epoch writes the checkpoint, then calls {@code listener}.
     * Returns this call's epochs.
     *
     * @param progress   told of each epoch's steps as the host submits them (see {@link TrainingProgress})
     * @param checkpoint written (atomically) at the end of every epoch; null: none
     */
    public List<EpochMetrics> fit(TrainingProgress progress, Path checkpoint, Consumer<EpochMetrics> listener) {
        Objects.requireNonNull(progress);
        List<EpochMetrics> all = new ArrayList<>();
        while (!finished()) {
            EpochMetrics m = trainEpoch(progress);
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

    /**
     * Continues the run saved in {@code file} by a trainer of the same configuration: weights, optimizer
     * state, generator, batch order, early-stopping state and history. The epoch count, target loss,
     * learning rate and schedule may differ ({@link Checkpoint#MAY_CHANGE}); returns the changes other than
     * the epoch count (empty: the run continues exactly as if never interrupted).
     */
    public List<String> resume(Path file) {
        Checkpoint.Loaded loaded = Checkpoint.read(file, config, spec, train.size, trainFingerprint(),
                optimizer.stateNames());
        continueFrom(loaded.state()); // Checkpoint.read has checked the state
        return loaded.changes();
    }

    /** One epoch of training followed by validation and test evaluations (NaN where there is no such set). */
    public EpochMetrics trainEpoch() {
        return trainEpoch(TrainingProgress.none());
    }

    private EpochMetrics trainEpoch(TrainingProgress progress) {
        long t0 = System.nanoTime();
        double loss = runEpochSteps(progress);
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
            earlyStopping.record(epochsDone, val.loss());
            if (earlyStopping.stopped()) {
                copyWeightsToOtherDevices();
            }
        }
        return m;
    }

    /** Runs the first {@code n} steps of a new epoch's order without reading anything back (start-up timing). */
    public void trainSteps(int n) {
        shuffle();
        for (int s = 0; s < Math.min(n, batches.steps()); s++) {
            step(s);
        }
    }

    /**
     * Shuffle, all steps, one read-back; returns the epoch's mean training loss. The divergence flag is also
     * read alone every divergenceCheckEvery steps, so a diverged run stops within that many steps.
     */
    private double runEpochSteps(TrainingProgress progress) {
        shuffle();
        int steps = batches.steps();
        TransferStats beforeSteps = transfers();
        progress.startEpoch(epochsDone + 1, steps);
        for (int s = 0; s < steps; s++) {
            step(s);
            progress.step();
            int done = s + 1;
            if (config.divergenceCheckEvery() > 0 && done % config.divergenceCheckEvery() == 0 && done < steps) {
                stepLosses.flagNonFinite(done, network.parameterBuffer());
                if (stepLosses.flagRaised()) {
                    throw diverged(done, stepLosses.read().losses());
                }
            }
        }
        lastStepTransfers = transfers().since(beforeSteps);
        sendWeightsToIdleDevices();
        StepLosses.Read losses = readLosses(steps);
        if (losses.diverged()) {
            throw diverged(steps, losses.losses());
        }
        progress.endEpoch();
        return batches.meanOverSamples(losses.losses());
    }

    /** A new batch order from the generator, uploaded to every device. */
    private void shuffle() {
        batches.shuffle(rng);
        if (replicas.size() > 1) {
            int[] order = batches.order();
            for (Replica r : replicas.subList(1, replicas.size())) {
                r.batches.useOrder(order);
            }
        }
    }

    /** The traffic of every device together. */
    private TransferStats transfers() {
        TransferStats all = new TransferStats();
        for (Replica r : replicas) {
            all = all.plus(r.backend.transfers());
        }
        return all;
    }

    /**
     * The epoch's losses, one read per device: on several devices each step's loss is the weighted sum of
     * the devices' losses over their shares (the mean over the whole batch), and the flag is raised if any
     * device's is.
     */
    private StepLosses.Read readLosses(int steps) {
        if (replicas.size() == 1) {
            stepLosses.flagNonFinite(steps, network.parameterBuffer());
            return stepLosses.read();
        }
        float[][] perDevice = new float[replicas.size()][];
        boolean diverged = false;
        for (int r = 0; r < replicas.size(); r++) {
            Replica rep = replicas.get(r);
            rep.stepLosses.flagNonFinite(steps, rep.network.parameterBuffer());
            StepLosses.Read read = rep.stepLosses.read();
            perDevice[r] = read.losses();
            diverged |= read.diverged();
        }
        float[] combined = new float[steps];
        for (int s = 0; s < steps; s++) {
            float[] w = weights(batches.rows(s));
            double sum = 0;
            for (int r = 0; r < w.length; r++) {
                sum += w[r] == 0 ? 0 : (double) w[r] * perDevice[r][s];
            }
            combined[s] = (float) sum;
        }
        return new StepLosses.Read(combined, diverged);
    }

    /** Each device's weight in a step of {@code rows} rows: its rows over the batch's (0: it sits the step out). */
    private float[] weights(int rows) {
        int[] first = batchSplit.first(rows);
        float[] w = new float[replicas.size()];
        for (int r = 0; r < w.length; r++) {
            w[r] = (float) (first[r + 1] - first[r]) / rows;
        }
        return w;
    }

    /**
     * The error for a flag raised within the first {@code done} steps, from the epoch's {@code losses} as read:
     * names the first bad step if a loss is.
     */
    private TrainingDiverged diverged(int done, float[] losses) {
        int epoch = epochsDone + 1;
        for (int s = 0; s < done; s++) {
            if (!Float.isFinite(losses[s])) {
                return new TrainingDiverged(String.format("training diverged at epoch %d step %d of %d: the loss is "
                        + "%s (lower %s, or add %s)", epoch, s + 1, stepsPerEpoch(), losses[s],
                        setting("learningRate"), setting("weightDecay")));
            }
        }
        return new TrainingDiverged(String.format("training diverged in epoch %d by step %d of %d: a weight is NaN or "
                + "infinite (lower %s)", epoch, done, stepsPerEpoch(), setting("learningRate")));
    }

    /** One step: gather the batch, forward, loss, backward, update; every checkEvery-th replayed on the CPU. */
    private void step(int index) {
        boolean check = shadow != null && globalStep % config.checkEvery() == 0;
        float[] before = check ? network.parameters() : null;
        List<float[]> stateBefore = check ? readState() : null;
        // The mask is a function of the global step (carried by checkpoints), so a resumed run and the shadow
        // check's CPU replay draw the same one.
        DropoutMask mask = dropout == null ? null : dropout.mask(globalStep);
        if (replicas.size() == 1) {
            Batches.Batch batch = batches.gather(index);
            network.computeGradients(batch.x(), batch.labels(), batch.targets(), stepLosses.buffer(), index, mask);
        } else {
            computeSharedGradients(index, mask);
        }
        lastRate = (float) config.schedule().rate(config.learningRate(), epochsDone, index, stepsPerEpoch(),
                config.epochs());
        optimizer.step(network, lastRate);
        if (exchange != null) {
            exchange.broadcastParameters(computing);
        }
        if (check) {
            shadow.check(epochsDone + 1, globalStep, batches.samples(index), mask, before,
                    stateBefore, optimizer.steps() - 1, lastRate, network.gradients(), network.parameters());
        }
        globalStep++;
    }

    /**
     * Every device's share of step {@code index}: enqueued on each device in turn (they run together), then
     * the gradients summed into the whole batch's mean on the first device.
     */
    private void computeSharedGradients(int index, DropoutMask mask) {
        int rows = batches.rows(index);
        int[] first = batchSplit.first(rows);
        for (int r = 0; r < replicas.size(); r++) {
            int n = first[r + 1] - first[r];
            if (n == 0) {
                continue;
            }
            Replica rep = replicas.get(r);
            Batches.Batch share = rep.batches.gather(index, first[r], n);
            rep.network.computeGradients(share.x(), share.labels(), share.targets(), rep.stepLosses.buffer(), index,
                    mask == null ? null : mask.fromRow(first[r]));
        }
        exchange.sumGradients(weights(rows));
    }

    /** At an epoch's end: the weights to the devices that sit every step out, so that every device holds them. */
    private void sendWeightsToIdleDevices() {
        if (exchange == null) {
            return;
        }
        boolean[] idle = new boolean[computing.length];
        boolean any = false;
        for (int r = 1; r < idle.length; r++) {
            idle[r] = !computing[r];
            any |= idle[r];
        }
        if (any) {
            exchange.broadcastParameters(idle);
        }
    }

    /** Puts the first device's weights on the others (after early stopping restored the best ones there). */
    private void copyWeightsToOtherDevices() {
        if (exchange != null) {
            exchange.broadcastParameters();
        }
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
                optimizer.steps(), RngState.write(rng), batches.order(), earlyStopping.bestWeights(),
                earlyStopping.bestLoss(), earlyStopping.bestEpoch(), earlyStopping.epochsSinceBest(),
                List.copyOf(history));
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
        continueFrom(s);
    }

    /** Writes a checked state to the device and takes its counters, generator and history. */
    private void continueFrom(TrainerState s) {
        for (Replica r : replicas) {
            r.network.setParameters(s.parameters());
            r.batches.restore(s.order());
        }
        for (int i = 0; i < s.optimizerState().size(); i++) {
            backend.write(optimizer.state().get(i), s.optimizerState().get(i));
        }
        optimizer.setSteps(s.optimizerSteps());
        rng = RngState.read(s.rngState());
        earlyStopping.restore(s.bestParameters(), s.bestValidationLoss(), s.bestEpoch(), s.epochsSinceBest());
        epochsDone = s.epochsDone();
        globalStep = s.globalStep();
        history.clear();
        history.addAll(s.history());
    }

    @Override
    public void close() {
        if (shadow != null) {
            shadow.close();
        }
        if (exchange != null) {
            exchange.close();
        }
        replicas.forEach(Replica::close);
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
        earlyStopping.close();
    }
}
