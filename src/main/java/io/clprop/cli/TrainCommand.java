package io.clprop.cli;

import io.clprop.backend.Backend;
import io.clprop.backend.Backends;
import io.clprop.data.Dataset;
import io.clprop.data.MnistFolder;
import io.clprop.nn.Activation;
import io.clprop.nn.Init;
import io.clprop.nn.LossKind;
import io.clprop.train.EpochMetrics;
import io.clprop.train.LearningCurvePlot;
import io.clprop.train.MetricsJson;
import io.clprop.train.TrainConfig;
import io.clprop.train.Trainer;
import io.clprop.train.TerminalProgress;
import io.clprop.train.TrainingProgress;
import io.clprop.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** `clprop train`: trains an MLP on an MNIST-format folder and reports test accuracy per epoch. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train an MLP by backpropagation (defaults: Fashion-MNIST, 784-256-128-10, ReLU, softmax-CE, "
                + "SGD lr 0.1, batch 128, 10 epochs, first OpenCL device).")
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR", description = "Folder with the four MNIST-format files, raw or .gz "
            + "(default: ${DEFAULT-VALUE}).")
    Path data = MnistFolder.DEFAULT_DIR;

    @Option(names = "--hidden", split = ",", paramLabel = "N,N,…", description = "Hidden layer widths (default: 256,128).")
    int[] hidden = TrainConfig.DEFAULT_HIDDEN;

    @Option(names = "--activation", split = ",", paramLabel = "F[,F…]", converter = Converters.ActivationConverter.class,
            description = "Hidden activation, relu, sigmoid or tanh: one for all hidden layers or one per layer "
                    + "(default: relu).")
    List<Activation> activation = List.of(Activation.RELU);

    @Option(names = "--loss", converter = Converters.LossConverter.class,
            description = "softmax-ce or mse (default: softmax-ce; mse uses one-hot targets and a sigmoid output).")
    LossKind loss = LossKind.SOFTMAX_CE;

    @Option(names = "--lr", description = "Learning rate (default: ${DEFAULT-VALUE}).")
    float lr = 0.1f;

    @Option(names = "--batch", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batch = 128;

    @Option(names = "--epochs", description = "Maximum number of epochs (default: ${DEFAULT-VALUE}).")
    int epochs = 10;

    @Option(names = "--target-loss", paramLabel = "L",
            description = "Stop when an epoch's training loss is at or below L (default: off).")
    double targetLoss = 0;

    @Option(names = "--seed", description = "Seed for initial weights and shuffling (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--init", description = "Initial weights: auto (He before ReLU, Xavier otherwise), he or xavier "
            + "(default: ${DEFAULT-VALUE}).")
    String init = "auto";

    @Option(names = "--device", description = "opencl (the first device), opencl:N (see `clprop devices`) or cpu "
            + "(default: ${DEFAULT-VALUE}).")
    String device = "opencl";

    @Option(names = "--metrics-json", paramLabel = "FILE", description = "Write per-epoch metrics as JSON.")
    Path metricsJson;

    @Option(names = "--check-every", paramLabel = "N", description = "Every N steps, replay the step on the CPU "
            + "path and compare gradients and updated weights; stop if they differ beyond tolerance (default: off).")
    int checkEvery = 0;

    @Option(names = "--build-option", paramLabel = "FILE=OPTS",
            description = "Extra build options for one kernel file, e.g. gemm.cl=-DRM=8 (repeatable).")
    List<String> buildOptions;

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

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        TrainConfig config;
        try {
            config = new TrainConfig(hidden, activation, loss, lr, batch, epochs, targetLoss, seed, Init.parse(init));
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage());
        }
        if (metricsJson != null) {
            MetricsJson.checkWritable(metricsJson);
        }
        if (plot != null) {
            LearningCurvePlot.checkWritable(plot);
        }
        if (checkEvery < 0) {
            throw new UserError("--check-every must be ≥ 0, got " + checkEvery);
        }
        if (checkEvery > 0 && device.equals("cpu")) {
            throw new UserError("--check-every compares a device with the CPU path; it needs --device opencl or opencl:N");
        }
        MnistFolder.TrainTest tt = MnistFolder.load(data);
        Dataset train = limit(tt.train(), trainLimit, "--train-limit");
        Dataset test = limit(tt.test(), testLimit, "--test-limit");
        if (config.batchSize() > train.size()) {
            throw new UserError("--batch " + config.batchSize() + " is larger than the training set (" + train.size()
                    + " samples)");
        }
        Map<String, String> extra = BuildOptions.parse(buildOptions);
        if (!extra.isEmpty() && device.equals("cpu")) {
            throw new UserError("--build-option applies to OpenCL kernels; it needs --device opencl or opencl:N");
        }
        try (Backend backend = device.equals("cpu") ? Backends.open(device) : Backends.openCl(device, extra); Trainer trainer = new Trainer(backend, config, train, test);
             TrainingProgress bar = Boolean.TRUE.equals(progress) ? new TerminalProgress(System.err)
                     : TrainingProgress.forConsole(progress == null)) {
            out.println("device  " + backend.description());
            out.println("network " + trainer.spec().describe() + ", " + trainer.spec().parameterCount() + " parameters");
            out.println("data    " + data + ": " + train.size() + " train, " + test.size() + " test samples");
            out.println("config  " + config);
            trainer.setCheckEvery(checkEvery);
            trainer.setProgress(bar);
            if (checkEvery > 0) {
                out.printf("check   every %d steps against the CPU path, tolerance %.2e%n", checkEvery,
                        io.clprop.verify.ParameterDiff.stepTolerance(trainer.spec(), config.batchSize()));
            }
            List<EpochMetrics> epochsRun = new ArrayList<>();
            trainer.fit(m -> {
                epochsRun.add(m);
                out.println(m.line());
            });
            double finalAccuracy = epochsRun.get(epochsRun.size() - 1).testAccuracy();
            out.printf("test accuracy %.4f%n", finalAccuracy);
            if (metricsJson != null) {
                MetricsJson.write(metricsJson, config, backend.description(), epochsRun, finalAccuracy);
                out.println("metrics written to " + metricsJson);
            }
            if (plot != null) {
                LearningCurvePlot.write(plot, epochsRun, trainer.spec().describe() + " on " + backend.description());
                out.println("plot written to " + plot);
            }
        }
        return 0;
    }

    private static Dataset limit(Dataset d, Integer n, String option) {
        if (n == null) {
            return d;
        }
        if (n <= 0 || n > d.size()) {
            throw new UserError(option + " " + n + ": must be between 1 and " + d.size());
        }
        return d.head(n);
    }
}
