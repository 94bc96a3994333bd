package io.clprop.train;

import io.clprop.backend.Activation;
import io.clprop.nn.Init;
import io.clprop.nn.LayerList;
import io.clprop.nn.LossKind;
import io.clprop.nn.optim.OptimizerConfig;

import io.clprop.util.InvalidSetting;

import java.util.Arrays;

import static io.clprop.util.Wording.setting;
import java.util.List;

/**
 * What a training run is asked to do. Defaults are the reference run: 784-256-128-10, ReLU, softmax-CE,
 * SGD η = 0.1 at a constant rate, batch 128, 10 epochs, no validation split, no early stopping.
 *
 * @param validation fraction of the training set held out for validation, drawn with the seed (0: none)
 * @param patience   early stopping: stop after this many epochs without a lower validation loss and restore
 *                   the best epoch's weights (0: off; needs a validation split)
 * @param dropout    inverted dropout rate P on every hidden layer's output during training, 0 ≤ P < 1 (0: off)
 * @param checkEvery replay every this many steps on the CPU path and compare gradients and weights (0: off)
 * @param divergenceCheckEvery steps between mid-epoch checks of the loss and weights for NaN/Inf (0: at epoch
 *                   ends only, where the epoch's one read-back checks them anyway)
 * @param layers     the network's layers, its output layer last, when they are not an MLP's hidden widths
 *                   (a convolutional network): then hidden is empty and activations holds only the default;
 *                   null for an MLP of {@code hidden} widths
 * @param initialWeights weights to start from instead of drawing them with {@code init} (null: drawn); the
 *                   network must be theirs. With them, epochs may be 0: the weights as given, for a model
 *                   file of them
 */
public record TrainConfig(int[] hidden, List<Activation> activations, LossKind loss, float learningRate,
                          int batchSize, int epochs, double targetLoss, long seed, Init init,
                          OptimizerConfig optimizer, LrSchedule schedule, double validation, int patience,
                          double dropout, int checkEvery, int divergenceCheckEvery, LayerList layers,
                          InitialWeights initialWeights) implements java.io.Serializable {

    public static final int[] DEFAULT_HIDDEN = {256, 128};
    /**
     * Every this many steps the loss and weights are checked for NaN/Inf on the device and one float is read
     * back (a blocking wait): 0.01 waits per step, against the dozen launches each step makes.
     */
    public static final int DEFAULT_DIVERGENCE_CHECK_EVERY = 100;

    public static TrainConfig defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Plain SGD at a constant rate, no validation: the core configuration. */
    public TrainConfig(int[] hidden, Activation activation, LossKind loss, float learningRate, int batchSize,
                       int epochs, double targetLoss, long seed, Init init) {
        this(hidden, List.of(activation), loss, learningRate, batchSize, epochs, targetLoss, seed, init,
                OptimizerConfig.sgd(), LrSchedule.CONSTANT, 0, 0, 0);
    }

    /** Without the run's checks set: no CPU replay, the default divergence-check interval. */
    public TrainConfig(int[] hidden, List<Activation> activations, LossKind loss, float learningRate, int batchSize,
                       int epochs, double targetLoss, long seed, Init init, OptimizerConfig optimizer,
                       LrSchedule schedule, double validation, int patience, double dropout) {
        this(hidden, activations, loss, learningRate, batchSize, epochs, targetLoss, seed, init, optimizer, schedule,
                validation, patience, dropout, 0, DEFAULT_DIVERGENCE_CHECK_EVERY, null, null);
    }

    public TrainConfig {
        hidden = hidden.clone();
        activations = List.copyOf(activations);
        if (activations.size() != 1 && activations.size() != hidden.length) {
            throw new InvalidSetting(setting("activations") + ": give one activation, or one per hidden layer ("
                    + hidden.length + "), got " + activations.size());
        }
        for (int h : hidden) {
            if (h <= 0) {
                throw new InvalidSetting(setting("hidden") + ": layer widths must be positive, got " + h);
            }
        }
        if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
            throw new InvalidSetting(setting("learningRate") + " must be a positive number, got " + learningRate);
        }
        if (batchSize <= 0) {
            throw new InvalidSetting(setting("batchSize") + " must be positive, got " + batchSize);
        }
        if (epochs < 0 || (epochs == 0 && initialWeights == null)) {
            throw new InvalidSetting(setting("epochs") + " must be positive, got " + epochs
                    + (epochs == 0 ? " (0 only with " + setting("initFrom") + ": the given weights as they are)" : ""));
        }
        if (Double.isNaN(targetLoss) || targetLoss < 0) {
            throw new InvalidSetting(setting("targetLoss") + " must be ≥ 0, got " + targetLoss);
        }
        if (!(validation >= 0 && validation < 1)) {
            throw new InvalidSetting(setting("validation") + " must be a fraction in [0, 1), got " + validation);
        }
        if (patience < 0) {
            throw new InvalidSetting(setting("patience") + " must be ≥ 0, got " + patience);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new InvalidSetting(setting("dropout") + " must be a probability in [0, 1), got " + dropout);
        }
        if (checkEvery < 0) {
            throw new InvalidSetting(setting("checkEvery") + " must be ≥ 0, got " + checkEvery);
        }
        if (divergenceCheckEvery < 0) {
            throw new InvalidSetting(setting("divergenceCheckEvery") + " must be ≥ 0, got " + divergenceCheckEvery);
        }
        if (patience > 0 && validation == 0) {
            throw new InvalidSetting(setting("patience") + " needs a validation split (" + setting("validation") + " > 0)");
        }
    }

    public TrainConfig withEpochs(int e) {
        return toBuilder().epochs(e).build();
    }

    public TrainConfig withSeed(long s) {
        return toBuilder().seed(s).build();
    }

    public TrainConfig withInit(Init i) {
        return toBuilder().init(i).build();
    }

    public TrainConfig withBatchSize(int b) {
        return toBuilder().batch(b).build();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.hidden = hidden.clone();
        b.activations = activations;
        b.loss = loss;
        b.learningRate = learningRate;
        b.batch = batchSize;
        b.epochs = epochs;
        b.targetLoss = targetLoss;
        b.seed = seed;
        b.init = init;
        b.optimizer = optimizer;
        b.schedule = schedule;
        b.validation = validation;
        b.patience = patience;
        b.dropout = dropout;
        b.checkEvery = checkEvery;
        b.divergenceCheckEvery = divergenceCheckEvery;
        b.layers = layers;
        b.initialWeights = initialWeights;
        return b;
    }

    /** "relu" or "relu,tanh": the activations setting as written. */
    public String activationNames() {
        StringBuilder sb = new StringBuilder();
        for (Activation a : activations) {
            sb.append(sb.length() == 0 ? "" : ",").append(a.specName());
        }
        return sb.toString();
    }

    @Override
    public int[] hidden() {
        return hidden.clone();
    }

    /**
     * The settings that shape the result, as the command line's config line and the provenance show them; the
     * checks (checkEvery, divergenceCheckEvery) only watch the run and are left out.
     */
    @Override
    public String toString() {
        return (layers != null ? "layers=" + layers.describe() : "hidden=" + Arrays.toString(hidden) + " activation="
                + activationNames()) + " loss=" + loss.specName
                + " optimizer=" + optimizer + " lr=" + learningRate + " schedule=" + schedule.describe()
                + " batch=" + batchSize + " epochs=" + epochs + " target-loss=" + targetLoss
                + (validation > 0 ? " validation=" + validation : "") + (patience > 0 ? " patience=" + patience : "")
                + (dropout > 0 ? " dropout=" + dropout : "")
                + " seed=" + seed + " init=" + (initialWeights != null ? "from " + initialWeights.name() : init.specName());
    }

    /** Fluent construction for the Java API; every setting starts at the reference run's value. */
    public static final class Builder {
        private int[] hidden = DEFAULT_HIDDEN.clone();
        private List<Activation> activations = List.of(Activation.RELU);
        private LossKind loss = LossKind.SOFTMAX_CE;
        private float learningRate = 0.1f;
        private int batch = 128;
        private int epochs = 10;
        private double targetLoss = 0;
        private long seed = 1;
        private Init init = Init.AUTO;
        private OptimizerConfig optimizer = OptimizerConfig.sgd();
        private LrSchedule schedule = LrSchedule.CONSTANT;
        private double validation = 0;
        private int patience = 0;
        private double dropout = 0;
        private int checkEvery = 0;
        private int divergenceCheckEvery = DEFAULT_DIVERGENCE_CHECK_EVERY;
        private LayerList layers;
        private InitialWeights initialWeights;

        /** Hidden widths of an MLP (replacing any {@link #layers} given before). */
        public Builder hidden(int... widths) {
            this.hidden = widths.clone();
            this.layers = null;
            return this;
        }

        /**
         * The network's layers, its output layer last, built against the data (its width or image shape, its
         * classes) when training starts; replaces the hidden widths and activations.
         */
        public Builder layers(LayerList list) {
            this.layers = list;
            this.hidden = new int[0];
            this.activations = List.of(Activation.RELU);
            return this;
        }

        public Builder activations(List<Activation> oneOrPerLayer) {
            this.activations = oneOrPerLayer;
            return this;
        }

        public Builder activation(Activation a) {
            return activations(List.of(a));
        }

        /**
         * Hidden layers, activations and loss from a built network ({@code Network.builder()…build()}); the
         * input and output widths come from the data. The output layer must use the loss's own activation
         * (identity before softmax-CE, sigmoid before MSE), which is what the trainer builds. A network with
         * image layers is kept whole, as its {@link LayerList}, and checked against the data (its image shape
         * and classes) when training starts.
         */
        public Builder network(io.clprop.nn.NetworkSpec spec) {
            if (!spec.isMlp()) {
                this.loss = spec.loss();
                return layers(LayerList.of(spec));
            }
            Activation out = spec.layers().get(spec.layers().size() - 1).activation();
            if (out != spec.loss().defaultOutputActivation()) {
                throw new IllegalArgumentException("the trainer builds the output layer with "
                        + spec.loss().defaultOutputActivation().specName() + " before " + spec.loss().specName
                        + ", the network asks for " + out.specName());
            }
            this.hidden = spec.hiddenWidths();
            this.layers = null;
            this.activations = spec.hiddenActivations().isEmpty() ? List.of(Activation.RELU) : spec.hiddenActivations();
            this.loss = spec.loss();
            return this;
        }

        public Builder loss(LossKind l) {
            this.loss = l;
            return this;
        }

        public Builder learningRate(double lr) {
            this.learningRate = (float) lr;
            return this;
        }

        public Builder batch(int b) {
            this.batch = b;
            return this;
        }

        public Builder epochs(int e) {
            this.epochs = e;
            return this;
        }

        public Builder targetLoss(double t) {
            this.targetLoss = t;
            return this;
        }

        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        public Builder init(Init i) {
            this.init = i;
            return this;
        }

        /**
         * Start from these weights ({@link InitialWeights#read}) instead of drawing them with {@link #init}; the
         * network the run builds must be theirs. The optimizer's state starts afresh. Null: drawn.
         */
        public Builder initialWeights(InitialWeights w) {
            this.initialWeights = w;
            return this;
        }

        public Builder optimizer(OptimizerConfig o) {
            this.optimizer = o;
            return this;
        }

        public Builder schedule(LrSchedule s) {
            this.schedule = s;
            return this;
        }

        public Builder validation(double fraction) {
            this.validation = fraction;
            return this;
        }

        public Builder patience(int epochs) {
            this.patience = epochs;
            return this;
        }

        /** Inverted dropout rate P on the hidden layers' outputs during training (0: off). */
        public Builder dropout(double p) {
            this.dropout = p;
            return this;
        }

        /** Replay every this many steps on the CPU path and compare (0: off). */
        public Builder checkEvery(int steps) {
            this.checkEvery = steps;
            return this;
        }

        /** Steps between mid-epoch divergence checks (0: at epoch ends only). */
        public Builder divergenceCheckEvery(int steps) {
            this.divergenceCheckEvery = steps;
            return this;
        }

        public TrainConfig build() {
            return new TrainConfig(hidden, activations, loss, learningRate, batch, epochs, targetLoss, seed, init,
                    optimizer, schedule, validation, patience, dropout, checkEvery, divergenceCheckEvery, layers,
                    initialWeights);
        }
    }
}
