package io.clprop.cli;

import io.clprop.util.AtomicFiles;

import io.clprop.report.ConsoleProgress;

import io.clprop.backend.Backend;
import io.clprop.data.Dataset;
import io.clprop.data.FeatureOrder;
import io.clprop.backend.Activation;
import io.clprop.nn.Init;
import io.clprop.nn.LayerList;
import io.clprop.nn.LossKind;
import io.clprop.nn.optim.OptimizerConfig;
import com.google.gson.JsonObject;
import io.clprop.model.ModelFile;
import io.clprop.train.BatchSplit;
import io.clprop.train.EpochMetrics;
import io.clprop.train.InitialWeights;
import io.clprop.train.Provenance;
import io.clprop.report.LearningCurvePlot;
import io.clprop.train.LrSchedule;
import io.clprop.report.MetricsJson;
import io.clprop.train.TrainConfig;
import io.clprop.train.Trainer;
import io.clprop.report.TerminalProgress;
import io.clprop.train.TrainingProgress;
import io.clprop.util.Overlap;
import io.clprop.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** `clprop train`: trains an MLP on an MNIST-format folder or a CSV file and reports its metrics per epoch. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train an MLP or a convolutional network (--layers) by backpropagation (defaults: Fashion-MNIST, 784-256-128-10, ReLU, softmax-CE, "
                + "SGD lr 0.1, batch 128, 10 epochs, first OpenCL device).")
class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @picocli.CommandLine.Mixin
    DataOptions data = new DataOptions();

    @Option(names = "--hidden", split = ",", paramLabel = "N,N,…", description = "Hidden layer widths (default: 256,128).")
    int[] hidden = TrainConfig.DEFAULT_HIDDEN;

    @Option(names = "--activation", split = ",", paramLabel = "F[,F…]", converter = Converters.ActivationConverter.class,
            description = "Hidden activation, relu, sigmoid, tanh, leaky-relu (slope 0.01), elu (alpha 1) or softplus: "
                    + "one for all hidden layers or one per layer "
                    + "(default: relu).")
    List<Activation> activation = List.of(Activation.RELU);

    @Option(names = "--layers", paramLabel = "LAYER,…",
            description = "The whole network, input to output, instead of --hidden/--activation: conv:C:K[:strideS][:padP], "
                    + "maxpool:K[:strideS][:padP], flatten, dense:N, each conv or dense optionally followed by an "
                    + "activation; the last item is the output layer, dense:<classes> (e.g. conv:32:3:pad1,relu,"
                    + "maxpool:2,conv:64:3:pad1,relu,maxpool:2,flatten,dense:128,relu,dense:10).")
    String layers;

    @Option(names = "--loss", converter = Converters.LossConverter.class,
            description = "softmax-ce or mse (default: softmax-ce; mse uses one-hot targets and a sigmoid output).")
    LossKind loss = LossKind.SOFTMAX_CE;

    @Option(names = "--optimizer", description = "sgd, momentum, nesterov or adam (default: ${DEFAULT-VALUE}).")
    String optimizer = "sgd";

    @Option(names = "--lr", description = "Learning rate: the base rate of the schedule (default: 0.1 for the SGD "
            + "family, 0.001 for adam).")
    Float lr;

    @Option(names = "--momentum", paramLabel = "MU", description = "Momentum of momentum/nesterov (default: ${DEFAULT-VALUE}).")
    float momentum = 0.9f;

    @Option(names = "--beta1", description = "Adam's first-moment decay (default: ${DEFAULT-VALUE}).")
    float beta1 = 0.9f;

    @Option(names = "--beta2", description = "Adam's second-moment decay (default: ${DEFAULT-VALUE}).")
    float beta2 = 0.999f;

    @Option(names = "--epsilon", description = "Adam's ε (default: ${DEFAULT-VALUE}).")
    float epsilon = 1e-8f;

    @Option(names = "--weight-decay", paramLabel = "WD", description = "L2 weight decay added to the gradient "
            + "(default: ${DEFAULT-VALUE}).")
    float weightDecay = 0;

    @Option(names = "--schedule", description = "Learning-rate schedule: constant, step:E:G (×G every E epochs) or "
            + "cosine (to zero over the run) (default: ${DEFAULT-VALUE}).")
    String schedule = "constant";

    @Option(names = "--validation", paramLabel = "F", description = "Hold out this fraction of the training set, "
            + "drawn with the seed, and report validation loss and accuracy each epoch (default: none).")
    double validation = 0;

    @Option(names = "--patience", paramLabel = "N", description = "Early stopping: stop after N epochs without a "
            + "lower validation loss and keep the best epoch's weights (needs --validation; default: off).")
    int patience = 0;

    @Option(names = "--dropout", paramLabel = "P", description = "Inverted dropout: zero each hidden unit's output "
            + "with probability P during training, scaling the kept ones by 1/(1−P); evaluation uses all units "
            + "(0 ≤ P < 1; default: 0, off).")
    double dropout = 0;

    @Option(names = "--batch", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batch = 128;

    @Option(names = "--epochs", description = "Maximum number of epochs (default: ${DEFAULT-VALUE}).")
    int epochs = 10;

    @Option(names = "--target-loss", paramLabel = "L",
            description = "Stop when an epoch's training loss is at or below L (default: off).")
    double targetLoss = 0;

    @Option(names = "--seed", description = "Seed for initial weights and shuffling (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--init", description = "Initial weights: auto (He before relu, leaky-relu, elu and softplus, Xavier otherwise), he or "
            + "xavier "
            + "(default: ${DEFAULT-VALUE}).")
    String init = "auto";

    @Option(names = "--init-from", paramLabel = "FILE", description = "Start from the weights in FILE, a clprop "
            + "model or a safetensors file (PyTorch's state_dict names for the network's torch.nn.Sequential), "
            + "instead of drawing them; the network must be the file's. The optimizer state starts fresh; a clprop "
            + "model's standardisation and fill values are used, not fitted anew. --epochs 0 saves the weights as "
            + "they are.")
    Path initFrom;

    @picocli.CommandLine.Mixin
    DeviceOption device = new DeviceOption();

    @Option(names = "--split", paramLabel = "even|speed|A:B:…", description = "With several devices, how each "
            + "batch is shared among them: even, speed (in proportion to each device's samples per second, timed "
            + "alone on a few batches before training) or given proportions, one per device, e.g. 3:1 "
            + "(default: even).")
    String split;

    @Option(names = "--metrics-json", paramLabel = "FILE", description = "Write per-epoch metrics as JSON.")
    Path metricsJson;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "After every epoch, write the run's state "
            + "(weights, optimizer state, generator, batch order, metrics) to FILE, atomically.")
    Path checkpoint;

    @Option(names = "--resume", paramLabel = "FILE", description = "Continue the run saved in checkpoint FILE; the "
            + "settings must be those it was written with, except --epochs, --target-loss, --lr and --schedule.")
    Path resume;

    @Option(names = "--save", paramLabel = "FILE", description = "Write the trained model to FILE at the end "
            + "(see `clprop eval` and `clprop predict`).")
    Path save;

    @Option(names = "--nan-check-every", paramLabel = "N", description = "Check the loss and weights for NaN/Inf on "
            + "the device every N steps (one 4-byte read) and at every epoch end; 0: epoch ends only "
            + "(default: ${DEFAULT-VALUE}).")
    int nanCheckEvery = TrainConfig.DEFAULT_DIVERGENCE_CHECK_EVERY;

    @Option(names = "--check-every", paramLabel = "N", description = "Every N steps, replay the step on the CPU "
            + "path and compare gradients and updated weights; stop if they differ beyond tolerance (default: off).")
    int checkEvery = 0;

    @picocli.CommandLine.Mixin
    BuildOptions buildOptions = new BuildOptions();

    @Option(names = "--plot", paramLabel = "FILE.png",
            description = "After training, draw loss and accuracy per epoch into this PNG image (1200×500).")
    Path plot;

    @Option(names = "--progress", negatable = true, description = "A progress bar per epoch on stderr (steps "
            + "submitted to the device). Default: only when stdin and stdout are a terminal; --progress forces it, "
            + "--no-progress turns it off.")
    Boolean progress;

    @Option(names = "--train-limit", paramLabel = "N", description = "Use only the first N training samples.")
    Integer trainLimit;

    @Option(names = "--test-limit", paramLabel = "N", description = "Use only the first N test samples.")
    Integer testLimit;

    /** The --init-from file's model, whose preprocessing the data takes; null without one or for bare tensors. */
    private ModelFile givenModel;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        TrainConfig config = buildConfig();
        if (metricsJson != null) {
            AtomicFiles.checkWritable(metricsJson, "--metrics-json");
        }
        if (checkpoint != null) {
            AtomicFiles.checkWritable(checkpoint, "--checkpoint");
        }
        if (save != null) {
            AtomicFiles.checkWritable(save, "--save");
        }
        if (resume != null && !java.nio.file.Files.isRegularFile(resume)) {
            throw new UserError("--resume " + resume + ": no such file");
        }
        if (plot != null) {
            LearningCurvePlot.checkWritable(plot);
        }
        if (checkEvery > 0 && device.isCpu()) {
            throw new UserError("--check-every compares a device with the CPU path; it needs --device opencl or opencl:N");
        }
        if (plot != null && config.epochs() == 0) {
            throw new UserError("--plot: --epochs 0 trains no epoch to plot");
        }
        if (split != null && !device.namesSeveral()) {
            throw new UserError("--split shares each batch among several devices; --device " + device.device
                    + " names one");
        }
        // The data is read while the devices open (an OpenCL driver compiles kernels then).
        Overlap.Both<DataOptions.TrainingData, OpenDevices> started = Overlap.run(
                () -> data.loadTraining(trainLimit, testLimit, givenModel),
                () -> device.openAll(buildOptions.parseFor(device)));
        DataOptions.TrainingData td = started.background();
        Dataset train = td.train(), test = td.test();
        try (OpenDevices devices = started.foreground();
             Trainer trainer = newTrainer(devices.all(), batchSplit(devices.count()), config, train, test);
             TrainingProgress bar = Boolean.TRUE.equals(progress) ? new TerminalProgress(System.err)
                     : ConsoleProgress.forConsole(progress == null)) {
            Backend backend = devices.first();
            if (devices.count() == 1) {
                out.println("device  " + backend.description());
            } else {
                for (int i = 0; i < devices.count(); i++) {
                    out.println("device  " + (i + 1) + " of " + devices.count() + ": " + devices.all().get(i).description());
                }
                if ("speed".equals(split)) {
                    List<Trainer.StepCost> costs = trainer.balanceBySpeed(SPEED_BATCHES);
                    double[] shares = trainer.batchSplit().shares();
                    for (int i = 0; i < costs.size(); i++) {
                        out.printf("speed   device %d alone: %.3f ms a step + %.2f µs a row%s%n", i + 1,
                                costs.get(i).fixedMs(), 1000 * costs.get(i).msPerRow(), shares[i] == 0
                                        ? "; too slow to help (its fixed cost exceeds a step on the others): it gets no "
                                        + "rows, and training would be faster without it in --device" : "");
                    }
                }
                out.println("split   each batch shared " + trainer.batchSplit() + "; gradients and weights "
                        + trainer.exchange().orElseThrow().route() + ", "
                        + trainer.exchange().orElseThrow().bytesPerStep() + " bytes a step");
            }
            out.println("network " + trainer.spec().describe() + ", " + trainer.spec().parameterCount() + " parameters");
            out.println("data    " + td.source() + ": " + trainer.trainSize() + " train, "
                    + (trainer.validationSize() > 0 ? trainer.validationSize() + " validation, " : "")
                    + (test == null ? 0 : test.size()) + " test samples"
                    + (td.standardizer() != null ? ", standardised" : ""));
            if (td.filled() != null) {
                out.println(td.filled());
            }
            if (td.testColumns() == FeatureOrder.Outcome.REORDERED) {
                out.println("columns " + data.testData + " reordered to the training set's feature order");
            } else if (td.testColumns() == FeatureOrder.Outcome.UNCHECKED) {
                spec.commandLine().getErr().println("clprop: warning: " + data.testData + " has no header, so its "
                        + "columns are taken in the training set's order without checking their names");
            }
            out.println("config  " + config);
            if (checkEvery > 0) {
                out.printf("check   every %d steps against the CPU path, tolerance %.2e%n", checkEvery,
                        io.clprop.verify.StepReplay.tolerance(trainer.spec(), config.batchSize()));
            }
            if (initFrom != null && resume == null) {
                boolean preprocessed = givenModel != null && (givenModel.standardizer() != null || givenModel.fill() != null);
                out.println("weights " + initFrom + (preprocessed ? ", with its preprocessing" : "")
                        + "; optimizer state fresh");
            }
            if (resume != null) {
                List<String> changes = trainer.resume(resume);
                out.println("resumed " + resume + " after epoch " + trainer.epochsDone()
                        + (changes.isEmpty() ? "" : ", changing " + String.join(", ", changes)));
            }
            trainer.fit(bar, checkpoint, m -> out.println(m.line()));
            List<EpochMetrics> epochsRun = trainer.history();
            // No epoch (--epochs 0 from given weights): the accuracy of those weights.
            double finalAccuracy = epochsRun.isEmpty() ? trainer.testAccuracy()
                    : epochsRun.get(epochsRun.size() - 1).testAccuracy();
            if (trainer.stoppedEarly()) {
                finalAccuracy = trainer.testAccuracy();
                out.printf("early stop: no lower validation loss for %d epochs; restored epoch %d's weights%n",
                        config.patience(), trainer.bestEpoch());
            }
            out.printf("test accuracy %.4f%n", finalAccuracy);
            if (metricsJson != null) {
                MetricsJson.write(metricsJson, config, devices.description(), epochsRun, finalAccuracy);
                out.println("metrics written to " + metricsJson);
            }
            if (plot != null) {
                LearningCurvePlot.write(plot, epochsRun, trainer.spec().describe() + " on " + devices.description());
                out.println("plot written to " + plot);
            }
            if (save != null) {
                JsonObject trained = Provenance.of(config, epochsRun.size(), finalAccuracy, devices.description());
                new ModelFile(trainer.spec(), trainer.network().parameters(), td.standardizer(), td.classNames(),
                        td.featureNames(), td.fill(), trained).write(save);
                out.println("model written to " + save);
            }
        }
        return 0;
    }

    /** The run's settings from the options, checked (a one-line error for any out of range or in conflict). */
    TrainConfig buildConfig() {
        try {
            OptimizerConfig.Kind kind = OptimizerConfig.Kind.parse(optimizer);
            OptimizerConfig opt = OptimizerConfig.of(kind).withMomentum(momentum).withBetas(beta1, beta2)
                    .withEpsilon(epsilon).withWeightDecay(weightDecay);
            float rate = lr != null ? lr : kind.defaultLearningRate();
            TrainConfig.Builder b = TrainConfig.builder().hidden(hidden).activations(activation);
            if (layers != null) {
                for (String mlpOnly : new String[]{"--hidden", "--activation"}) {
                    if (spec.commandLine().getParseResult().hasMatchedOption(mlpOnly)) {
                        throw new UserError("--layers describes the whole network; leave out " + mlpOnly);
                    }
                }
                b.layers(LayerList.parse(layers));
            }
            if (initFrom != null && spec.commandLine().getParseResult().hasMatchedOption("--init")) {
                throw new UserError("--init draws the initial weights, --init-from gives them; leave out one");
            }
            InitialWeights given = initFrom == null ? null : InitialWeights.read(initFrom);
            b.initialWeights(given);
            givenModel = given == null ? null : given.model().orElse(null);
            return b.loss(loss).learningRate(rate)
                    .batch(batch).epochs(epochs).targetLoss(targetLoss).seed(seed).init(Init.parse(init))
                    .optimizer(opt).schedule(LrSchedule.parse(schedule)).validation(validation).patience(patience)
                    .dropout(dropout).checkEvery(checkEvery).divergenceCheckEvery(nanCheckEvery).build();
        } catch (IllegalArgumentException e) {
            throw UserError.of(e);
        }
    }

    /**
     * The trainer, with what its constructor rejects in the data (a split that leaves nothing, a batch larger
     * than the training set) as bad input.
     */
    private static Trainer newTrainer(List<Backend> devices, BatchSplit split, TrainConfig config, Dataset train,
                                      Dataset test) {
        try {
            return new Trainer(devices, split, config, train, test);
        } catch (IllegalArgumentException e) {
            throw UserError.of(e);
        }
    }

    /** Passes timed per device and pass size for --split speed (after one untimed). */
    static final int SPEED_BATCHES = 5;

    /** The --split value as shares for {@code devices} devices (speed: even until measured). */
    private BatchSplit batchSplit(int devices) {
        if (split == null || split.equals("even") || split.equals("speed")) {
            return BatchSplit.even(devices);
        }
        String[] parts = split.split(":", -1);
        if (parts.length != devices) {
            throw new UserError("--split " + split + ": " + parts.length + " proportions for " + devices + " devices "
                    + "(expected even, speed or one number per device, e.g. 3:1)");
        }
        double[] shares = new double[devices];
        for (int i = 0; i < devices; i++) {
            try {
                shares[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                shares[i] = Double.NaN;
            }
            if (!(shares[i] > 0) || !Double.isFinite(shares[i])) {
                throw new UserError("--split " + split + ": \"" + parts[i] + "\" is not a positive number (expected "
                        + "even, speed or one proportion per device, e.g. 3:1)");
            }
        }
        return BatchSplit.proportional(shares);
    }
}
