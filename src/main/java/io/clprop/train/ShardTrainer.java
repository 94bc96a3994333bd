package io.clprop.train;

import io.clprop.backend.Backend;
import io.clprop.backend.Tensor;
import io.clprop.data.Dataset;
import io.clprop.nn.LossKind;
import io.clprop.nn.Network;
import io.clprop.nn.NetworkSpec;
import io.clprop.nn.optim.Optimizer;
import io.clprop.util.InvalidSetting;
import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.math3.util.MathArrays;

import java.util.Arrays;
import java.util.List;

import static io.clprop.util.Wording.setting;

/**
 * One shard of a training run spread over processes — a cluster's tasks, each holding part of the data on
 * its own device — that trains as one process with the same global batch would. Every shard knows the
 * global sample numbers of its rows and draws the same initial weights and the same global batch order from
 * the seed as {@link Trainer} does; for each step it takes its rows of the global batch (gathered on the
 * device, from a per-epoch order uploaded once), computes their mean gradient and loss, and sends them with
 * its row count through the {@link ShardExchange}. Every shard then sums the messages in shard order, each
 * weighted by its rows over the batch's, in double (the mean over the whole batch, the same bits on every
 * shard), writes the sum to its gradient buffer and applies the update: devices of one kind (every task of a
 * cluster on the CPU path, or on the same GPU model and driver) thus hold the same weights after every step.
 *
 * <p>Host traffic per step: the gradient read and the sum written, P floats each (the exchange goes through
 * the host anyway). Not supported here, refused at construction: a validation split (and so early stopping),
 * dropout (its mask is drawn per batch row, and a shard's rows are scattered through the batch) and the
 * shadow check.
 */
public final class ShardTrainer implements AutoCloseable {
    private final Backend backend;
    private final TrainConfig config;
    private final NetworkSpec spec;
    /** Replaced when a cluster's next stage reuses this shard with new connections ({@link #useExchange}). */
    private ShardExchange exchange;
    private final Network network;
    private final Optimizer optimizer;
    private final DeviceDataset data;
    private final int globalSize;
    /** The shard's row of each global sample number, −1 for samples other shards hold. */
    private final int[] localRow;
    /** The global batch order, shuffled each epoch as Trainer's is. */
    private final int[] order;
    /** The batch buffers and the epoch's order of this shard's rows, step after step. */
    private final Batches batches;
    private final Tensor loss;
    private final float[] received;
    /** 0: the synchronous sum each step; k: parameter averaging every k steps. */
    private final int averageEvery;
    /** Parameter averaging: this shard's loss sum and rows since the last averaging. */
    private double localLoss;
    private int localRows;
    private Well19937c rng;
    private int epochsDone;
    private long steps;
    /** The last epoch's time in the exchange (waiting for the other shards included) and its bytes out and in. */
    private long exchangeNanos;
    private long exchangeBytes;

    /**
     * @param shard      this shard's samples, in the order of {@code globalIds}
     * @param globalIds  each row's number in the whole training set (distinct, 0 … globalSize − 1)
     * @param globalSize the samples of all shards together
     */
    public ShardTrainer(Backend backend, TrainConfig config, NetworkSpec spec, Dataset shard, int[] globalIds,
                        int globalSize, ShardExchange exchange) {
        this(backend, config, spec, shard, globalIds, globalSize, exchange, 0);
    }

    /**
     * As {@link #ShardTrainer(Backend, TrainConfig, NetworkSpec, Dataset, int[], int, ShardExchange)}, with
     * {@code averageEvery} k > 0 for parameter averaging instead of the synchronous sum: each shard updates its
     * own weights from its rows of each batch, and every k steps (and at each epoch's end) the shards replace
     * their weights and optimizer state by the mean over the shards — k times fewer exchanges, no longer the
     * one-process run (Deeplearning4j's "averaging frequency"). 0: synchronous.
     */
    public ShardTrainer(Backend backend, TrainConfig config, NetworkSpec spec, Dataset shard, int[] globalIds,
                        int globalSize, ShardExchange exchange, int averageEvery) {
        check(config, globalSize);
        if (averageEvery < 0) {
            throw new InvalidSetting("averaging every " + averageEvery + " steps: expected 0 (synchronous) or more");
        }
        this.averageEvery = averageEvery;
        if (globalIds.length != shard.size()) {
            throw new IllegalArgumentException(globalIds.length + " sample numbers for " + shard.size() + " rows");
        }
        this.backend = backend;
        this.config = config;
        this.spec = spec;
        this.exchange = exchange;
        this.globalSize = globalSize;
        this.localRow = new int[globalSize];
        Arrays.fill(localRow, -1);
        for (int i = 0; i < globalIds.length; i++) {
            int g = globalIds[i];
            if (g < 0 || g >= globalSize || localRow[g] >= 0) {
                throw new IllegalArgumentException("sample number " + g + " out of 0.." + (globalSize - 1) + " or repeated");
            }
            localRow[g] = i;
        }
        this.order = new int[globalSize];
        for (int i = 0; i < globalSize; i++) {
            order[i] = i;
        }
        boolean mse = config.loss() == LossKind.MSE;
        // The same draws from the same generator as Trainer: initial weights, then each epoch's shuffle.
        this.rng = new Well19937c(config.seed());
        float[] given = config.initialWeights() != null ? config.initialWeights().parametersFor(spec) : null;
        int b = config.batchSize();
        this.network = new Network(backend, spec, b);
        this.optimizer = config.optimizer().create(backend, network.parameterBuffer().size());
        this.data = new DeviceDataset(backend, shard, mse);
        this.batches = new Batches(backend, data, b);
        this.loss = backend.allocate(1, 1);
        this.received = new float[network.parameterBuffer().size()];
        network.setParameters(given != null ? given : config.init().parameters(spec, rng));
    }

    /**
     * Refuses, as an InvalidSetting naming the setting, what a shard cannot do (see the class comment) and a
     * batch larger than the training set: callable where the shards are started (a cluster's driver), before
     * anything is sent to them.
     */
    public static void check(TrainConfig config, int globalSize) {
        if (config.validation() > 0 || config.patience() > 0) {
            throw new InvalidSetting(setting("validation") + " and " + setting("patience")
                    + " are not supported when training on a cluster (every shard would need the same held-out rows)");
        }
        if (config.dropout() > 0) {
            throw new InvalidSetting(setting("dropout") + " is not supported when training on a cluster yet (a "
                    + "shard's rows are scattered through each batch, and the mask is drawn per batch row)");
        }
        if (config.checkEvery() > 0) {
            throw new InvalidSetting(setting("checkEvery") + " is not supported when training on a cluster");
        }
        if (config.batchSize() > globalSize) {
            throw new InvalidSetting(setting("batchSize") + " " + config.batchSize() + " is larger than the training set ("
                    + globalSize + " samples)");
        }
    }

    /**
     * The state at this epoch boundary (the same on every shard): weights, optimizer state and steps, the
     * generator and the batch order, so that a stage started anew — a cluster retrying after a lost task —
     * continues exactly as if never interrupted ({@link #restore}).
     */
    public TrainerState snapshot() {
        List<float[]> state = new java.util.ArrayList<>();
        for (Tensor t : optimizer.state()) {
            state.add(backend.read(t));
        }
        return new TrainerState(epochsDone, steps, network.parameters(), optimizer.stateNames(), state,
                optimizer.steps(), RngState.write(rng), order.clone(), null, Double.POSITIVE_INFINITY, 0, 0,
                List.of());
    }

    /** Continues from a {@link #snapshot} of a shard of the same run (same config, network and data). */
    public void restore(TrainerState s) {
        if (s.order().length != globalSize || s.parameters().length != received.length
                || !s.optimizerStateNames().equals(optimizer.stateNames())) {
            throw new IllegalArgumentException("a state of another run: " + s.order().length + " samples, "
                    + s.parameters().length + " parameters, optimizer state " + s.optimizerStateNames());
        }
        network.setParameters(s.parameters());
        for (int i = 0; i < s.optimizerState().size(); i++) {
            backend.write(optimizer.state().get(i), s.optimizerState().get(i));
        }
        optimizer.setSteps(s.optimizerSteps());
        rng = RngState.read(s.rngState());
        System.arraycopy(s.order(), 0, order, 0, globalSize);
        epochsDone = s.epochsDone();
        steps = s.globalStep();
    }

    /**
     * The last epoch's exchange per step: milliseconds this shard spent in it (sending, waiting for the
     * slowest shard, receiving) and the bytes its messages out and in held.
     */
    public double[] lastEpochExchangePerStep() {
        return new double[]{exchangeNanos / 1e6 / stepsPerEpoch(), (double) exchangeBytes / stepsPerEpoch()};
    }

    /** The exchange the next epochs go through (a cluster's new stage, with new connections to the others). */
    public void useExchange(ShardExchange next) {
        this.exchange = next;
    }

    /** How many rows this shard holds. */
    public int shardSize() {
        return data.size;
    }

    public int stepsPerEpoch() {
        return (globalSize + config.batchSize() - 1) / config.batchSize();
    }

    public int epochsDone() {
        return epochsDone;
    }

    public Network network() {
        return network;
    }

    public NetworkSpec spec() {
        return spec;
    }

    /** One epoch: the global order shuffled, every step's rows of this shard, the sum, the update. */
    public EpochMetrics trainEpoch() {
        long t0 = System.nanoTime();
        MathArrays.shuffle(order, rng);
        exchangeNanos = 0;
        exchangeBytes = 0;
        int stepCount = stepsPerEpoch(), batch = config.batchSize();
        // This shard's rows of each step, in batch order, one after another: one upload for the epoch.
        int[] local = new int[data.size];
        int[] first = new int[stepCount + 1];
        int n = 0;
        for (int s = 0; s < stepCount; s++) {
            first[s] = n;
            for (int i = s * batch; i < Math.min(globalSize, (s + 1) * batch); i++) {
                int row = localRow[order[i]];
                if (row >= 0) {
                    local[n++] = row;
                }
            }
        }
        first[stepCount] = n;
        // Every row of the shard is in exactly one step, so the order is a permutation of the shard's rows.
        if (n != data.size) {
            throw new IllegalStateException(n + " of the shard's " + data.size + " rows are in the epoch's order");
        }
        batches.useOrder(local);
        double lossSum = 0;
        float rate = 0;
        for (int s = 0; s < stepCount; s++) {
            int rows = Math.min(batch, globalSize - s * batch), mine = first[s + 1] - first[s];
            rate = (float) config.schedule().rate(config.learningRate(), epochsDone, s, stepCount, config.epochs());
            if (averageEvery > 0) {
                if (mine > 0) {
                    localLoss += (double) lossOfMyRows(first[s], mine) * mine;
                    localRows += mine;
                    optimizer.step(network, rate);
                }
                steps++;
                if (steps % averageEvery == 0 || s == stepCount - 1) {
                    lossSum += averageWithOtherShards();
                }
                continue;
            }
            float[] message = new float[received.length + 2];
            if (mine > 0) {
                message[received.length] = lossOfMyRows(first[s], mine);
                System.arraycopy(network.gradients(), 0, message, 0, received.length);
            }
            message[received.length + 1] = mine;
            double stepLoss = sum(allGather(message), rows);
            lossSum += stepLoss * rows;
            backend.write(network.gradientBuffer(), received);
            optimizer.step(network, rate);
            steps++;
        }
        epochsDone++;
        double seconds = (System.nanoTime() - t0) / 1e9;
        double trainLoss = lossSum / globalSize;
        if (!Double.isFinite(trainLoss)) {
            throw new TrainingDiverged(String.format("training diverged in epoch %d: the loss is %s (lower %s)",
                    epochsDone, trainLoss, setting("learningRate")));
        }
        return new EpochMetrics(epochsDone, trainLoss, Double.NaN, Double.NaN, Double.NaN, rate, seconds,
                globalSize / seconds, 0, null);
    }

    /** Gathers this shard's {@code mine} rows from {@code first} of the epoch's order, forward and backward; returns their mean loss. */
    private float lossOfMyRows(int first, int mine) {
        Batches.Batch b = batches.gatherAt(first, mine);
        network.computeGradients(b.x(), b.labels(), b.targets(), loss, 0);
        return backend.read(loss)[0];
    }

    /** The exchange, timed, with the bytes this shard's message out and the messages in held. */
    private List<float[]> allGather(float[] message) {
        long x0 = System.nanoTime();
        List<float[]> messages = exchange.allGather(message);
        exchangeNanos += System.nanoTime() - x0;
        exchangeBytes += 4L * message.length * (1 + messages.size());
        return messages;
    }

    /**
     * Parameter averaging: every shard's weights and optimizer state replaced by their mean over the shards
     * (in shard order, in double: the same bits on every shard); returns the loss summed over the rows all
     * shards trained on since the last averaging.
     */
    private double averageWithOtherShards() {
        int p = received.length;
        List<Tensor> state = optimizer.state();
        float[] message = new float[p * (1 + state.size()) + 2];
        System.arraycopy(network.parameters(), 0, message, 0, p);
        for (int i = 0; i < state.size(); i++) {
            System.arraycopy(backend.read(state.get(i)), 0, message, p * (1 + i), p);
        }
        message[message.length - 2] = (float) localLoss;
        message[message.length - 1] = localRows;
        List<float[]> messages = allGather(message);
        double[] acc = new double[message.length - 2];
        double lossAll = 0;
        for (float[] m : messages) {
            if (m.length != message.length) {
                throw new IllegalStateException("a shard sent " + m.length + " values, expected " + message.length);
            }
            for (int i = 0; i < acc.length; i++) {
                acc[i] += m[i];
            }
            lossAll += m[m.length - 2];
        }
        float[] mean = new float[p];
        for (int b = 0; b <= state.size(); b++) {
            for (int i = 0; i < p; i++) {
                mean[i] = (float) (acc[b * p + i] / messages.size());
            }
            if (b == 0) {
                network.setParameters(mean);
            } else {
                backend.write(state.get(b - 1), mean);
            }
        }
        localLoss = 0;
        localRows = 0;
        return lossAll;
    }

    /**
     * Σ_t rows_t/rows · g_t over every shard's message, in shard order and in double, into {@link #received};
     * returns the step's loss summed the same way (the whole batch's mean).
     */
    private double sum(List<float[]> messages, int rows) {
        int p = received.length;
        double[] acc = new double[p];
        double lossAcc = 0;
        int counted = 0;
        for (float[] m : messages) {
            if (m.length != p + 2) {
                throw new IllegalStateException("a shard sent " + m.length + " values, expected " + (p + 2));
            }
            int mine = (int) m[p + 1];
            counted += mine;
            if (mine == 0) {
                continue;
            }
            double w = (double) mine / rows;
            for (int i = 0; i < p; i++) {
                acc[i] += w * m[i];
            }
            lossAcc += w * m[p];
        }
        if (counted != rows) {
            throw new IllegalStateException("the shards hold " + counted + " rows of a step of " + rows
                    + ": their sample numbers do not cover the training set");
        }
        for (int i = 0; i < p; i++) {
            received[i] = (float) acc[i];
        }
        return lossAcc;
    }

    @Override
    public void close() {
        optimizer.close();
        network.close();
        data.close();
        batches.close();
        backend.free(loss);
    }
}
