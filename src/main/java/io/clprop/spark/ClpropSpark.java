package io.clprop.spark;

import io.clprop.backend.Backend;
import io.clprop.backend.Backends;
import io.clprop.data.Dataset;
import io.clprop.nn.NetworkSpec;
import io.clprop.train.EpochMetrics;
import io.clprop.train.ShardTrainer;
import io.clprop.train.TrainConfig;
import io.clprop.train.Trainer;
import io.clprop.train.TrainerState;
import io.clprop.util.ImageShape;
import io.clprop.util.InvalidSetting;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.resource.ResourceInformation;
import scala.Tuple2;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag$;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static io.clprop.util.Wording.setting;

/**
 * Synchronous data-parallel training on a Spark cluster. The samples stay where Spark holds them: each
 * partition becomes one task of a barrier stage (all tasks run together, or are retried together), which
 * uploads its partition once to its device and trains a {@link ShardTrainer} on it; every step the tasks'
 * gradients meet over TCP connections the stage sets up once ({@link SocketExchange}, which says why not
 * through Spark's allGather). The global sample
 * numbers are the RDD's order ({@code zipWithIndex}), so the weights are those of one process training on
 * the samples in that order with the same global batch, up to rounding.
 */
public final class ClpropSpark {
    private ClpropSpark() {
    }

    /** What the data is: the width of a sample, its classes, and its image shape (null for plain features). */
    public record DataShape(int features, int classes, ImageShape image) implements Serializable {
        public DataShape {
            if (features < 1 || classes < 2) {
                throw new IllegalArgumentException(features + " features and " + classes + " classes");
            }
            if (image != null && image.size() != features) {
                throw new IllegalArgumentException("image " + image + " is not " + features + " features");
            }
        }
    }

    /** A trained network: the first task's weights (every task holds the same) and each epoch's metrics. */
    public record Trained(NetworkSpec spec, float[] parameters, List<EpochMetrics> history, List<Exchange> exchange) {
    }

    /**
     * One epoch's exchange as the first task saw it, per step: milliseconds in it (sending, waiting for the
     * slowest task, receiving) and the bytes its messages out and in held; and whether that task found its
     * shard kept on its device from the epoch before ({@link ShardCache}).
     */
    public record Exchange(double msPerStep, double bytesPerStep, boolean shardKept) implements Serializable {
    }

    /** What the first task sends back to the driver after an epoch: the run's state and the epoch's metrics. */
    record TaskResult(TrainerState state, EpochMetrics metrics, Exchange exchange) implements Serializable {
    }

    /**
     * Trains on {@code samples}, one task per partition.
     *
     * @param device where each task trains: {@code cpu} (the CPU path), {@code opencl} or {@code opencl:N} on the
     *               executor's machine, or {@code gpu}: the OpenCL device whose number is the address of the GPU
     *               Spark assigned to the task ({@code spark.task.resource.gpu.amount}, read from
     *               {@code TaskContext.resources()})
     */
    public static Trained fit(JavaRDD<Sample> samples, DataShape shape, TrainConfig config, String device) {
        return fit(samples, shape, config, device, 0, (m, x) -> { }, null);
    }

    /** As {@link #fit(JavaRDD, DataShape, TrainConfig, String)}, telling {@code listener} of each epoch as it ends. */
    public static Trained fit(JavaRDD<Sample> samples, DataShape shape, TrainConfig config, String device,
                              java.util.function.BiConsumer<EpochMetrics, Exchange> listener) {
        return fit(samples, shape, config, device, 0, listener, null);
    }

    /**
     * As {@link #fit(JavaRDD, DataShape, TrainConfig, String, java.util.function.BiConsumer)} with parameter
     * averaging every {@code averageEvery} steps instead of the synchronous sum (0: synchronous; see
     * {@link ShardTrainer}).
     */
    public static Trained fit(JavaRDD<Sample> samples, DataShape shape, TrainConfig config, String device,
                              int averageEvery, java.util.function.BiConsumer<EpochMetrics, Exchange> listener) {
        return fit(samples, shape, config, device, averageEvery, listener, null);
    }

    /**
     * Trains on a DataFrame with a features column (an array of numbers: float or double, NCHW pixels for an
     * image network; or a Spark ML vector, dense or sparse, as ML pipelines make them) and a label column (an
     * integer class 0 … classes − 1), one task per partition; the frame's row order gives the samples'
     * numbers ({@link #samples}).
     */
    public static Trained fit(org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> frame, String featuresColumn,
                              String labelColumn, DataShape shape, TrainConfig config, String device) {
        return fit(samples(frame, featuresColumn, labelColumn, shape), shape, config, device);
    }

    /**
     * A DataFrame's rows as samples (see {@link #fit(org.apache.spark.sql.Dataset, String, String, DataShape,
     * TrainConfig, String)}): the columns are checked here; a row whose features are missing or of another
     * width, or whose label is null or out of range, fails the run with the row's values named.
     */
    public static JavaRDD<Sample> samples(org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> frame,
                                          String featuresColumn, String labelColumn, DataShape shape) {
        org.apache.spark.sql.types.StructType schema = frame.schema();
        for (String c : new String[]{featuresColumn, labelColumn}) {
            if (!java.util.Arrays.asList(schema.fieldNames()).contains(c)) {
                throw new InvalidSetting("no column " + c + " in " + schema.simpleString());
            }
        }
        org.apache.spark.sql.types.DataType type = schema.apply(featuresColumn).dataType();
        if (!(type instanceof org.apache.spark.sql.types.ArrayType || type.typeName().equals("vector"))) {
            throw new InvalidSetting("column " + featuresColumn + " is " + type.simpleString()
                    + ", expected an array of numbers or an ML vector");
        }
        int width = shape.features(), classes = shape.classes();
        return frame.select(featuresColumn, labelColumn).javaRDD().map(row -> toSample(row, width, classes));
    }

    static Sample toSample(org.apache.spark.sql.Row row, int width, int classes) {
        if (row.isNullAt(0) || row.isNullAt(1)) {
            throw new InvalidSetting("a row with a missing " + (row.isNullAt(0) ? "features" : "label") + " value");
        }
        float[] x = features(row.get(0), width);
        Object label = row.get(1);
        if (!(label instanceof Number num) || num.doubleValue() != Math.rint(num.doubleValue())
                || num.longValue() < 0 || num.longValue() >= classes) {
            throw new InvalidSetting("label " + label + " is not a class 0.." + (classes - 1));
        }
        return new Sample(x, num.intValue());
    }

    /**
     * A row's features: an array (a Scala sequence, as Spark gives arrays) of numbers, or an ML vector, read
     * through its {@code toArray()} (dense or sparse) so that clprop needs no Spark ML at run time.
     */
    private static float[] features(Object value, int width) {
        List<?> values;
        if (value instanceof scala.collection.Seq<?> seq) {
            values = JavaConverters.seqAsJavaList(seq);
        } else if (value instanceof List<?> list) {
            values = list;
        } else {
            double[] v;
            try {
                v = (double[]) value.getClass().getMethod("toArray").invoke(value);
            } catch (ReflectiveOperationException | ClassCastException e) {
                throw new InvalidSetting("features of type " + value.getClass().getName()
                        + " (expected an array of numbers or an ML vector)");
            }
            if (v.length != width) {
                throw new InvalidSetting("a row with " + v.length + " features, expected " + width);
            }
            float[] x = new float[width];
            for (int i = 0; i < width; i++) {
                x[i] = (float) v[i];
            }
            return x;
        }
        if (values.size() != width) {
            throw new InvalidSetting("a row with " + values.size() + " features, expected " + width);
        }
        float[] x = new float[width];
        for (int i = 0; i < width; i++) {
            Object v = values.get(i);
            if (!(v instanceof Number num)) {
                throw new InvalidSetting("feature " + i + " of a row is " + v);
            }
            x[i] = num.floatValue();
        }
        return x;
    }

    /**
     * Called in each task before it trains an epoch (tests: a fault injected into a chosen task, attempt and
     * epoch). Null: none.
     */
    interface TaskHook extends Serializable {
        void beforeEpoch(BarrierTaskContext context, int epoch);
    }

    /**
     * As {@link #fit(JavaRDD, DataShape, TrainConfig, String)}, telling {@code listener} of each epoch as it
     * ends. One barrier stage per epoch: the driver keeps the state every epoch ends with (weights, optimizer
     * state, generator, batch order; {@link TrainerState}) and starts the next stage from it, so a stage that
     * fails — a task or an executor lost — is retried by Spark from the last epoch's state and the run goes on
     * exactly as if never interrupted. The partitions are cached for the stages.
     */
    static Trained fit(JavaRDD<Sample> samples, DataShape shape, TrainConfig config, String device, int averageEvery,
                       java.util.function.BiConsumer<EpochMetrics, Exchange> listener, TaskHook hook) {
        if (averageEvery < 0) {
            throw new InvalidSetting("averaging every " + averageEvery + " steps: expected 0 (synchronous) or more");
        }
        if (config.initialWeights() != null) {
            throw new InvalidSetting(setting("initFrom") + " is not supported when training on a cluster yet");
        }
        NetworkSpec spec = Trainer.specFor(config, shapeOnly(shape));
        // Cached and counted before they are numbered: zipWithIndex counts the partitions in one job and numbers
        // the rows in another, and a source whose order is not fixed (a shuffle's output) would number other rows
        // the second time. Every shard checks that the numbers cover each batch.
        JavaRDD<Sample> held = samples.persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
        long n = held.count();
        JavaPairRDD<Sample, Long> numbered = held.zipWithIndex()
                .persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
        try {
            if (n > Integer.MAX_VALUE - 8) {
                throw new InvalidSetting("the training set has " + n + " samples, more than clprop indexes");
            }
            int globalSize = (int) n;
            ShardTrainer.check(config, globalSize);
            TrainerState state = null;
            String run = java.util.UUID.randomUUID().toString();
            List<EpochMetrics> history = new ArrayList<>();
            List<Exchange> exchanges = new ArrayList<>();
            while (history.size() < config.epochs()) {
                TaskFunction task = new TaskFunction(run, shape, config, globalSize, device, averageEvery, state, hook);
                // A shuffle after the barrier stage makes it a map stage, which Spark retries whole when a task
                // or executor is lost; a failed barrier result stage aborts the job instead ("Could not recover
                // from a failed barrier ResultStage", measured).
                List<TaskResult> out = numbered.rdd().barrier()
                        .mapPartitions(task, false, ClassTag$.MODULE$.apply(TaskResult.class))
                        .toJavaRDD().repartition(1).collect();
                if (out.size() != 1) {
                    throw new IllegalStateException(out.size() + " tasks returned the state, expected 1");
                }
                state = out.get(0).state();
                EpochMetrics m = out.get(0).metrics();
                history.add(m);
                exchanges.add(out.get(0).exchange());
                listener.accept(m, out.get(0).exchange());
                if (m.trainLoss() <= config.targetLoss()) {
                    break;
                }
            }
            float[] weights = state != null ? state.parameters() : initialWeights(config, spec);
            return new Trained(spec, weights, List.copyOf(history), List.copyOf(exchanges));
        } finally {
            numbered.unpersist(false);
            held.unpersist(false);
        }
    }

    /** The weights a run of 0 epochs ends with: those drawn from the seed, as every shard draws them. */
    private static float[] initialWeights(TrainConfig config, NetworkSpec spec) {
        return config.init().parameters(spec, new org.apache.commons.math3.random.Well19937c(config.seed()));
    }

    /** A zero-sample Dataset of the shape, for the network's spec on the driver. */
    private static Dataset shapeOnly(DataShape shape) {
        Dataset d = new Dataset(new float[0], new int[0], shape.features(), shape.classes());
        return shape.image() == null ? d : d.withImageShape(shape.image());
    }

    /** The device spec a task opens: {@code gpu} becomes the OpenCL device Spark assigned. */
    static String taskDevice(String device, BarrierTaskContext context) {
        if (!device.equals("gpu")) {
            return device;
        }
        ResourceInformation gpu = context.resourcesJMap().get("gpu");
        if (gpu == null || gpu.addresses().length == 0) {
            throw new InvalidSetting("device gpu: Spark assigned this task no GPU (set spark.task.resource.gpu.amount "
                    + "and spark.executor.resource.gpu.amount with a discovery script)");
        }
        return "opencl:" + gpu.addresses()[0];
    }

    /** The barrier stage's work for one partition: its shard, trained; the first partition returns the weights. */
    /**
     * The barrier stage's work for one partition and one epoch: its shard on its device, from the state the
     * last epoch ended with (null: the start), trained an epoch; the first partition returns the new state.
     */
    static final class TaskFunction extends scala.runtime.AbstractFunction1<scala.collection.Iterator<Tuple2<Sample, Long>>,
            scala.collection.Iterator<TaskResult>> implements Serializable {
        private final String run;
        private final DataShape shape;
        private final TrainConfig config;
        private final int globalSize;
        private final String device;
        private final int averageEvery;
        private final TrainerState state;
        private final TaskHook hook;

        TaskFunction(String run, DataShape shape, TrainConfig config, int globalSize, String device, int averageEvery,
                     TrainerState state, TaskHook hook) {
            this.run = run;
            this.shape = shape;
            this.config = config;
            this.globalSize = globalSize;
            this.device = device;
            this.averageEvery = averageEvery;
            this.state = state;
            this.hook = hook;
        }

        @Override
        public scala.collection.Iterator<TaskResult> apply(scala.collection.Iterator<Tuple2<Sample, Long>> rows) {
            BarrierTaskContext context = BarrierTaskContext.get();
            List<Sample> samples = new ArrayList<>();
            List<Long> ids = new ArrayList<>();
            Iterator<Tuple2<Sample, Long>> it = JavaConverters.asJavaIterator(rows);
            while (it.hasNext()) {
                Tuple2<Sample, Long> r = it.next();
                samples.add(r._1());
                ids.add(r._2());
            }
            TaskResult result;
            try (SocketExchange exchange = new SocketExchange(context)) {
                ShardTrainer t = ShardCache.take(run, context.partitionId(), samples.size());
                boolean kept = t != null;
                if (t == null) {
                    Dataset shard = shard(samples);
                    NetworkSpec spec = Trainer.specFor(config, shard);
                    int[] globalIds = ids.stream().mapToInt(Long::intValue).toArray();
                    Backend backend = Backends.open(taskDevice(device, context));
                    try {
                        t = new ShardTrainer(backend, config, spec, shard, globalIds, globalSize, exchange, averageEvery);
                    } catch (RuntimeException e) {
                        backend.close();
                        throw e;
                    }
                    t = ShardCache.keep(run, context.partitionId(), t, backend);
                }
                t.useExchange(exchange);
                boolean done = false;
                try {
                    if (state != null) {
                        t.restore(state);
                    }
                    if (hook != null) {
                        hook.beforeEpoch(context, t.epochsDone() + 1);
                    }
                    EpochMetrics m = t.trainEpoch();
                    double[] x = t.lastEpochExchangePerStep();
                    result = new TaskResult(context.partitionId() == 0 ? t.snapshot() : null, m,
                            new Exchange(x[0], x[1], kept));
                    done = t.epochsDone() >= config.epochs();
                } catch (RuntimeException e) {
                    done = true;
                    throw e;
                } finally {
                    if (done) {
                        ShardCache.drop(run, context.partitionId());
                    }
                }
            }
            List<TaskResult> out = context.partitionId() == 0 ? List.of(result) : List.of();
            return JavaConverters.asScalaIterator(out.iterator());
        }
        private Dataset shard(List<Sample> samples) {
            int d = shape.features();
            float[] x = new float[samples.size() * d];
            int[] y = new int[samples.size()];
            for (int i = 0; i < samples.size(); i++) {
                Sample s = samples.get(i);
                if (s.features().length != d) {
                    throw new InvalidSetting("sample with " + s.features().length + " features, expected " + d);
                }
                if (s.label() < 0 || s.label() >= shape.classes()) {
                    throw new InvalidSetting("label " + s.label() + " outside 0.." + (shape.classes() - 1));
                }
                System.arraycopy(s.features(), 0, x, i * d, d);
                y[i] = s.label();
            }
            Dataset data = new Dataset(x, y, d, shape.classes());
            return shape.image() == null ? data : data.withImageShape(shape.image());
        }
    }
}
