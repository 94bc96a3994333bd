package io.clprop.cli;

import com.google.gson.JsonObject;
import io.clprop.backend.Backend;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.data.Dataset;
import io.clprop.model.ModelFile;
import io.clprop.model.Predictor;
import io.clprop.nn.Network;
import io.clprop.spark.ClpropSpark;
import io.clprop.spark.Sample;
import io.clprop.train.EpochMetrics;
import io.clprop.train.Provenance;
import io.clprop.train.TrainConfig;
import io.clprop.util.AtomicFiles;
import io.clprop.util.UserError;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * `spark-submit --class io.clprop.cli.SparkTrain target/clprop.jar <train options>`: train's options (those a
 * cluster run supports), the data read on the driver and spread over the cluster's tasks, trained by
 * {@link ClpropSpark} with one task per partition on each executor's device, the model written on the driver.
 * Spark (its master, executors, resources) is configured as spark-submit configures it; this class only needs
 * Spark on the class path, which spark-submit supplies.
 */
@Command(name = "spark-train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train on a Spark cluster: synchronous data parallelism, one task per partition, each on its "
                + "executor's device (--device cpu, opencl, opencl:N, or gpu: the GPU Spark assigned the task).")
public final class SparkTrain extends TrainCommand {
    @Option(names = "--partitions", paramLabel = "N", description = "Tasks to train on, one partition each "
            + "(default: Spark's default parallelism, one per executor core).")
    Integer partitions;

    @Option(names = "--average-every", paramLabel = "K", description = "Parameter averaging instead of the "
            + "synchronous gradient sum: each task updates its own weights, and every K steps (and at each epoch's "
            + "end) the tasks average weights and optimizer state; K times fewer exchanges, but no longer the "
            + "one-process run (default: 0, synchronous).")
    int averageEvery;

    @Option(names = "--debug", description = "Print stack traces for errors.")
    boolean debug;

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the command with the given streams and returns the exit status (tests call this directly). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        SparkTrain command = new SparkTrain();
        return Main.execute(new CommandLine(command), () -> command.debug, args, out, err);
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        for (String unsupported : new String[]{"--checkpoint", "--resume", "--plot", "--split", "--init-from",
                "--check-every", "--metrics-json"}) {
            if (spec.commandLine().getParseResult().hasMatchedOption(unsupported)) {
                throw new UserError(unsupported + " is not supported by spark-train yet");
            }
        }
        if (partitions != null && partitions < 1) {
            throw new UserError("--partitions must be at least 1, got " + partitions);
        }
        TrainConfig config = buildConfig();
        if (save != null) {
            AtomicFiles.checkWritable(save, "--save");
        }
        String where = device.device.trim();
        if (!where.equals("cpu") && !where.equals("gpu") && !where.startsWith("opencl")) {
            throw new UserError("--device " + where + ": expected cpu, opencl, opencl:N or gpu");
        }
        DataOptions.TrainingData td = data.loadTraining(trainLimit, testLimit, null);
        Dataset train = td.train(), test = td.test();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(
                org.apache.spark.SparkContext.getOrCreate(new SparkConf().setAppName("clprop")));
        int parts = partitions != null ? partitions : sc.defaultParallelism();
        List<Sample> samples = new ArrayList<>(train.size());
        for (int i = 0; i < train.size(); i++) {
            samples.add(new Sample(train.row(i), train.labels()[i]));
        }
        JavaRDD<Sample> rdd = sc.parallelize(samples, parts);
        out.println("cluster " + sc.master() + ", " + parts + " tasks on --device " + where);
        out.println("data    " + td.source() + ": " + train.size() + " train, " + (test == null ? 0 : test.size())
                + " test samples" + (td.standardizer() != null ? ", standardised" : ""));
        out.println("config  " + config);
        ClpropSpark.Trained trained;
        try {
            trained = ClpropSpark.fit(rdd, new ClpropSpark.DataShape(train.featureCount(), train.numClasses(),
                    train.imageShape().orElse(null)), config, where, averageEvery, (m, x) -> out.printf(
                    "%s  exchange %.2f ms a step, %,.0f bytes%n", m.line(), x.msPerStep(), x.bytesPerStep()));
        } catch (IllegalArgumentException e) {
            throw UserError.of(e);
        }
        double accuracy = test == null ? Double.NaN : accuracy(trained, test);
        out.printf("test accuracy %.4f (on the driver, CPU path)%n", accuracy);
        out.println("network " + trained.spec().describe() + ", " + trained.spec().parameterCount() + " parameters");
        if (save != null) {
            JsonObject provenance = Provenance.of(config, trained.history().size(), accuracy,
                    "spark " + sc.master() + ", " + parts + " tasks on " + where);
            new ModelFile(trained.spec(), trained.parameters(), td.standardizer(), td.classNames(), td.featureNames(),
                    td.fill(), provenance).write(save);
            out.println("model written to " + save);
        }
        return 0;
    }

    /** Rows predicted at a time on the driver: a bound on the CPU path's activations for image networks. */
    private static final int PREDICT_ROWS = 500;

    private static double accuracy(ClpropSpark.Trained trained, Dataset test) {
        int rows = Math.min(PREDICT_ROWS, test.size()), d = test.featureCount(), correct = 0;
        try (Backend cpu = new CpuBackend(); Network net = new Network(cpu, trained.spec(), rows)) {
            net.setParameters(trained.parameters());
            for (int start = 0; start < test.size(); start += rows) {
                int n = Math.min(rows, test.size() - start);
                float[] x = java.util.Arrays.copyOfRange(test.features(), start * d, (start + n) * d);
                int[] predicted = Predictor.predict(cpu, net, x, n).classes();
                for (int i = 0; i < n; i++) {
                    correct += predicted[i] == test.labels()[start + i] ? 1 : 0;
                }
            }
        }
        return (double) correct / test.size();
    }
}
