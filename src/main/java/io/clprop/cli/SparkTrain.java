package io.clprop.cli;

import com.google.gson.JsonObject;
import io.clprop.backend.Backend;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.data.Dataset;
import io.clprop.model.ModelFile;
import io.clprop.nn.Network;
import io.clprop.spark.ClpropSpark;
import io.clprop.spark.Sample;
import io.clprop.nn.LossKind;
import io.clprop.train.DeviceDataset;
import io.clprop.train.Evaluator;
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

    @Option(names = "--parquet", paramLabel = "PATH", description = "Train on Parquet data that Spark reads where "
            + "the cluster holds it (a file or folder, e.g. hdfs:///data/train.parquet) instead of --data: a column "
            + "of number arrays (--features-column; NCHW pixels with --input-shape) and an integer label column "
            + "(--label-column, default label); the classes are 0 … the largest label. No test set, no "
            + "standardisation.")
    String parquet;

    @Option(names = "--features-column", paramLabel = "NAME", description = "--parquet: the features column "
            + "(default: ${DEFAULT-VALUE}).")
    String featuresColumn = "features";

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
        Run run = parquet != null ? parquetRun() : dataRun();
        out.println("cluster " + run.master() + ", " + run.samples().getNumPartitions() + " tasks on --device " + where);
        out.println("data    " + run.description());
        out.println("config  " + config);
        ClpropSpark.Trained trained;
        long[] last = {System.nanoTime()};
        try {
            trained = ClpropSpark.fit(run.samples(), run.shape(), config, where, averageEvery, (m, x) -> {
                long now = System.nanoTime();
                out.printf("%s  exchange %.2f ms a step, %,.0f bytes; stage %.2f s%s%n", m.line(), x.msPerStep(),
                        x.bytesPerStep(), (now - last[0]) / 1e9, x.shardKept() ? " (data kept on the devices)" : "");
                last[0] = now;
            });
        } catch (IllegalArgumentException e) {
            throw UserError.of(e);
        }
        double accuracy = Double.NaN;
        if (run.data() != null && run.data().test() != null) {
            accuracy = accuracy(trained, run.data().test());
            out.printf("test accuracy %.4f (on the driver, CPU path)%n", accuracy);
        }
        out.println("network " + trained.spec().describe() + ", " + trained.spec().parameterCount() + " parameters");
        if (save != null) {
            JsonObject provenance = Provenance.of(config, trained.history().size(), accuracy,
                    "spark " + run.master() + ", " + run.samples().getNumPartitions() + " tasks on " + where);
            DataOptions.TrainingData td = run.data();
            ModelFile model = td == null
                    ? new ModelFile(trained.spec(), trained.parameters(), null, List.of(), List.of(), null, provenance)
                    : new ModelFile(trained.spec(), trained.parameters(), td.standardizer(), td.classNames(),
                            td.featureNames(), td.fill(), provenance);
            model.write(save);
            out.println("model written to " + save);
        }
        return 0;
    }

    /**
     * What a run trains on: the samples as Spark holds them, their shape, how to describe them, the cluster's
     * master, and (for --data) the data as read on the driver, with its test set and preprocessing.
     */
    private record Run(JavaRDD<Sample> samples, ClpropSpark.DataShape shape, String description, String master,
                       DataOptions.TrainingData data) {
    }

    /** --data: read on the driver as train reads it, spread over --partitions (default: Spark's parallelism). */
    private Run dataRun() {
        DataOptions.TrainingData td = data.loadTraining(trainLimit, testLimit, null);
        Dataset train = td.train(), test = td.test();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(
                org.apache.spark.SparkContext.getOrCreate(new SparkConf().setAppName("clprop")));
        List<Sample> samples = new ArrayList<>(train.size());
        for (int i = 0; i < train.size(); i++) {
            samples.add(new Sample(train.row(i), train.labels()[i]));
        }
        JavaRDD<Sample> rdd = sc.parallelize(samples, partitions != null ? partitions : sc.defaultParallelism());
        return new Run(rdd, new ClpropSpark.DataShape(train.featureCount(), train.numClasses(),
                train.imageShape().orElse(null)), td.source() + ": " + train.size() + " train, "
                + (test == null ? 0 : test.size()) + " test samples" + (td.standardizer() != null ? ", standardised" : ""),
                sc.master(), td);
    }

    /** --parquet: read by Spark where the cluster holds it; its width, classes and size found by one pass. */
    private Run parquetRun() {
        for (String csvOnly : new String[]{"--data", "--format", "--test-data", "--standardize", "--missing", "--header",
                "--ignore-columns", "--train-limit", "--test-limit"}) {
            if (spec.commandLine().getParseResult().hasMatchedOption(csvOnly)) {
                throw new UserError("--parquet reads its data where Spark holds it; leave out " + csvOnly);
            }
        }
        String label = data.source.csv.labelColumn != null ? data.source.csv.labelColumn : "label";
        org.apache.spark.sql.SparkSession spark = org.apache.spark.sql.SparkSession.builder()
                .config(new SparkConf().setAppName("clprop")).getOrCreate();
        org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> frame;
        try {
            frame = spark.read().parquet(parquet);
        } catch (RuntimeException e) {
            throw new UserError("--parquet " + parquet + ": " + Main.oneLine(e.getMessage()));
        }
        for (String c : new String[]{featuresColumn, label}) {
            if (!java.util.Arrays.asList(frame.schema().fieldNames()).contains(c)) {
                throw new UserError("--parquet " + parquet + ": no column " + c + " (its columns: "
                        + String.join(", ", frame.schema().fieldNames()) + ")");
            }
        }
        org.apache.spark.sql.Row stats = frame.agg(org.apache.spark.sql.functions.max(label),
                org.apache.spark.sql.functions.min(org.apache.spark.sql.functions.size(
                        org.apache.spark.sql.functions.col(featuresColumn))),
                org.apache.spark.sql.functions.count(org.apache.spark.sql.functions.lit(1))).first();
        if (stats.isNullAt(0) || stats.getLong(2) == 0) {
            throw new UserError("--parquet " + parquet + ": no rows");
        }
        int classes = (int) Math.min(Integer.MAX_VALUE, ((Number) stats.get(0)).longValue() + 1);
        int width = stats.getInt(1);
        // As Spark read it (one partition a file split), unless --partitions asks for another number: then
        // shuffled into them (the order is fixed for the run when it is numbered, but is not the files').
        if (partitions != null) {
            frame = frame.repartition(partitions);
        }
        ClpropSpark.DataShape shape = new ClpropSpark.DataShape(width, Math.max(2, classes),
                data.source.inputShape.shape());
        return new Run(ClpropSpark.samples(frame, featuresColumn, label, shape), shape, parquet + ": "
                + stats.getLong(2) + " train samples of " + width + " features, " + classes + " classes",
                spark.sparkContext().master(), null);
    }

    /** The test set's accuracy on the driver's CPU path, as `eval` computes it ({@link Evaluator}). */
    private static double accuracy(ClpropSpark.Trained trained, Dataset test) {
        try (Backend cpu = new CpuBackend();
             Network net = new Network(cpu, trained.spec(), Math.min(Evaluator.CHUNK_ROWS, test.size()));
             DeviceDataset d = new DeviceDataset(cpu, test, trained.spec().loss() == LossKind.MSE)) {
            net.setParameters(trained.parameters());
            return Evaluator.evaluate(cpu, net, d).accuracy();
        }
    }
}
