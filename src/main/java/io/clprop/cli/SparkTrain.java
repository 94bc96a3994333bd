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
        if (parquet != null) {
            return trainOnParquet(out, config, where);
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
        long[] last = {System.nanoTime()};
        try {
            trained = ClpropSpark.fit(rdd, new ClpropSpark.DataShape(train.featureCount(), train.numClasses(),
                    train.imageShape().orElse(null)), config, where, averageEvery, (m, x) -> {
                        long now = System.nanoTime();
                        out.printf("%s  exchange %.2f ms a step, %,.0f bytes; stage %.2f s%s%n", m.line(),
                                x.msPerStep(), x.bytesPerStep(), (now - last[0]) / 1e9,
                                x.shardKept() ? " (data kept on the devices)" : "");
                        last[0] = now;
                    });
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

    /** --parquet: the frame read by Spark, its shape found by one pass over it, trained, the model written. */
    private int trainOnParquet(PrintWriter out, TrainConfig config, String where) {
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
        io.clprop.util.ImageShape image = data.source.inputShape.shape();
        // As Spark read it (one partition a file split), unless --partitions asks for another number: then
        // shuffled into them (the order is fixed for the run when it is numbered, but is not the files').
        if (partitions != null) {
            frame = frame.repartition(partitions);
        }
        int parts = frame.javaRDD().getNumPartitions();
        out.println("cluster " + spark.sparkContext().master() + ", " + parts + " tasks on --device " + where);
        out.println("data    " + parquet + ": " + stats.getLong(2) + " train samples of " + width + " features, "
                + classes + " classes");
        out.println("config  " + config);
        ClpropSpark.Trained trained;
        try {
            trained = ClpropSpark.fit(frame, featuresColumn, label,
                    new ClpropSpark.DataShape(width, Math.max(2, classes), image), config, where);
        } catch (IllegalArgumentException e) {
            throw UserError.of(e);
        }
        for (EpochMetrics m : trained.history()) {
            out.println(m.line());
        }
        out.println("network " + trained.spec().describe() + ", " + trained.spec().parameterCount() + " parameters");
        if (save != null) {
            JsonObject provenance = Provenance.of(config, trained.history().size(), Double.NaN,
                    "spark " + spark.sparkContext().master() + ", " + parts + " tasks on " + where);
            new ModelFile(trained.spec(), trained.parameters(), null, List.of(), List.of(), null, provenance).write(save);
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
