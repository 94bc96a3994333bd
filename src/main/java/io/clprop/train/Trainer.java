package io.clprop.train;

import io.clprop.backend.Backend;
import io.clprop.backend.Tensor;
import io.clprop.data.Dataset;
import io.clprop.nn.LossKind;
import io.clprop.nn.Network;
import io.clprop.nn.NetworkSpec;
import io.clprop.nn.Sgd;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.math3.util.MathArrays;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Mini-batch gradient descent over epochs. Per epoch the host shuffles an index permutation with the seeded
 * generator and uploads it (one write); each step gathers its batch on the device, runs forward, loss,
 * backward and the update, and leaves the batch loss in a device buffer; the epoch's losses are read back
 * once at its end. Test accuracy is computed on the device and read back as one array of predictions.
 *
 * <p>The same seed gives the same initial weights and batch order on every backend, which is what the
 * device-vs-host training check relies on.
 */
public final class Trainer implements AutoCloseable {
    /** Rows per forward pass when evaluating: large enough to keep launches few, small enough to stay cheap. */
    static final int EVAL_ROWS = 1000;

    private final Backend backend;
    private final TrainConfig config;
    private final NetworkSpec spec;
    private final Network network;
    private final Sgd optimizer;
    private final RandomGenerator rng;
    private final DeviceDataset train;
    private final DeviceDataset test;
    private final Tensor batchX;
    private final Tensor batchLabels;
    private final Tensor batchTargets;
    private final Tensor permutation;
    private final Tensor stepLosses;
    private final Tensor predictions;
    private final int[] order;
    private final Dataset trainData;
    /** Null unless shadow checking is on. */
    private ShadowCheck shadow;
    private int checkEvery;
    private long globalStep;
    private int epochsDone;
    private io.clprop.backend.TransferStats lastStepTransfers;

    public Trainer(Backend backend, TrainConfig config, Dataset trainData, Dataset testData) {
        this.backend = backend;
        this.config = config;
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
        this.optimizer = new Sgd(config.learningRate());
        boolean mse = config.loss() == LossKind.MSE;
        int maxRows = Math.max(config.batchSize(), testData == null ? 0 : Math.min(EVAL_ROWS, testData.size()));
        // Before any allocation: a device too small fails with the sizes, not half-way (SGD keeps no state).
        MemoryPlan plan = MemoryPlan.forTrainer(spec, config, trainData, testData, maxRows, 0);
        backend.memoryLimits().ifPresent(plan::check);
        this.network = new Network(backend, spec, maxRows);
        this.train = new DeviceDataset(backend, trainData, mse);
        this.test = testData == null ? null : new DeviceDataset(backend, testData, false);
        this.batchX = backend.allocate(config.batchSize(), trainData.featureCount());
        this.batchLabels = backend.allocateInt(config.batchSize());
        this.batchTargets = mse ? backend.allocate(config.batchSize(), trainData.numClasses()) : null;
        this.permutation = backend.allocateInt(trainData.size());
        this.stepLosses = backend.allocate(1, stepsPerEpoch());
        this.predictions = test == null ? null : backend.allocateInt(test.size);
        this.trainData = trainData;
        this.order = new int[trainData.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        network.setParameters(config.init().parameters(spec, rng));
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
            shadow = new ShadowCheck(spec, trainData, config.batchSize(), config.learningRate());
        }
    }

    /**
     * Host↔device traffic and blocking waits of the last epoch's steps alone: after the permutation upload,
     * before the read of the epoch's losses. Zero unless shadow checking is on.
     */
    public io.clprop.backend.TransferStats lastEpochStepTransfers() {
        return lastStepTransfers;
    }

    public Network network() {
        return network;
    }

    public NetworkSpec spec() {
        return spec;
    }

    public int stepsPerEpoch() {
        return (train.size + config.batchSize() - 1) / config.batchSize();
    }

    /**
     * Trains until the configured number of epochs or until an epoch's training loss is at or below the
     * target; calls {@code listener} after each epoch.
     */
    public List<EpochMetrics> fit(Consumer<EpochMetrics> listener) {
        List<EpochMetrics> all = new ArrayList<>();
        while (epochsDone < config.epochs()) {
            EpochMetrics m = trainEpoch();
            all.add(m);
            listener.accept(m);
            if (m.trainLoss() <= config.targetLoss()) {
                break;
            }
        }
        return all;
    }

    /** One epoch of training followed by a test evaluation (NaN accuracy when there is no test set). */
    public EpochMetrics trainEpoch() {
        long t0 = System.nanoTime();
        double loss = runEpochSteps();
        double seconds = (System.nanoTime() - t0) / 1e9;
        epochsDone++;
        long t1 = System.nanoTime();
        double acc = test == null ? Double.NaN : testAccuracy();
        double evalSeconds = (System.nanoTime() - t1) / 1e9;
        return new EpochMetrics(epochsDone, loss, Double.NaN, Double.NaN, acc, config.learningRate(), seconds,
                train.size / seconds, evalSeconds, shadow == null ? null : shadow.takeStats());
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
        io.clprop.backend.TransferStats beforeSteps = backend.transfers().snapshot();
        for (int s = 0; s < steps; s++) {
            step(s, s * b, Math.min(b, train.size - s * b));
        }
        lastStepTransfers = backend.transfers().since(beforeSteps);
        float[] losses = backend.read(stepLosses);
        double sum = 0;
        for (int s = 0; s < steps; s++) {
            sum += (double) losses[s] * Math.min(b, train.size - s * b);
        }
        return sum / train.size;
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
        network.computeGradients(x, labels, targets, stepLosses, index);
        optimizer.step(network);
        if (check) {
            shadow.check(epochsDone + 1, globalStep, java.util.Arrays.copyOfRange(order, start, start + rows), before,
                    network.gradients(), network.parameters());
        }
        globalStep++;
    }

    /** Fraction of the test set classified correctly: argmax on the device, one read of all predictions. */
    public double testAccuracy() {
        int[] predicted = predict(test);
        int[] truth = test.hostLabels;
        int correct = 0;
        for (int i = 0; i < truth.length; i++) {
            if (predicted[i] == truth[i]) {
                correct++;
            }
        }
        return (double) correct / truth.length;
    }

    private int[] predict(DeviceDataset data) {
        int chunk = Math.min(network.maxRows(), data.size);
        for (int start = 0; start < data.size; start += chunk) {
            int rows = Math.min(chunk, data.size - start);
            Tensor out = network.forward(data.features.rowRange(start, rows));
            backend.argmaxRows(out, predictions.rowRange(start, rows));
        }
        return backend.readInt(predictions);
    }

    @Override
    public void close() {
        if (shadow != null) {
            shadow.close();
        }
        network.close();
        train.close();
        if (test != null) {
            test.close();
            backend.free(predictions);
        }
        backend.free(batchX);
        backend.free(batchLabels);
        if (batchTargets != null) {
            backend.free(batchTargets);
        }
        backend.free(permutation);
        backend.free(stepLosses);
    }
}
