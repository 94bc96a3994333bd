package io.clprop.spark;

import io.clprop.backend.Backend;
import io.clprop.backend.Backends;
import io.clprop.data.Dataset;
import io.clprop.nn.NetworkSpec;
import io.clprop.train.EpochMetrics;
import io.clprop.train.ShardTrainer;
import io.clprop.train.TrainConfig;
import io.clprop.train.Trainer;
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
    public record Trained(NetworkSpec spec, float[] parameters, List<EpochMetrics> history) {
    }

    /** What the first task sends back to the driver. */
    record TaskResult(float[] parameters, List<EpochMetrics> history) implements Serializable {
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
        if (config.initialWeights() != null) {
            throw new InvalidSetting(setting("initialWeights") + " is not supported when training on a cluster yet");
        }
        NetworkSpec spec = Trainer.specFor(config, shapeOnly(shape));
        JavaPairRDD<Sample, Long> numbered = samples.zipWithIndex();
        long n = numbered.count();
        if (n > Integer.MAX_VALUE - 8) {
            throw new InvalidSetting("the training set has " + n + " samples, more than clprop indexes");
        }
        int globalSize = (int) n;
        ShardTrainer.check(config, globalSize);
        TaskFunction task = new TaskFunction(shape, config, globalSize, device);
        List<TaskResult> out = numbered.rdd().barrier()
                .mapPartitions(task, false, ClassTag$.MODULE$.apply(TaskResult.class))
                .toJavaRDD().collect();
        if (out.isEmpty()) {
            throw new IllegalStateException("no task returned the weights");
        }
        return new Trained(spec, out.get(0).parameters(), List.copyOf(out.get(0).history()));
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
    static final class TaskFunction extends scala.runtime.AbstractFunction1<scala.collection.Iterator<Tuple2<Sample, Long>>,
            scala.collection.Iterator<TaskResult>> implements Serializable {
        private final DataShape shape;
        private final TrainConfig config;
        private final int globalSize;
        private final String device;

        TaskFunction(DataShape shape, TrainConfig config, int globalSize, String device) {
            this.shape = shape;
            this.config = config;
            this.globalSize = globalSize;
            this.device = device;
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
            Dataset shard = shard(samples);
            NetworkSpec spec = Trainer.specFor(config, shard);
            int[] globalIds = ids.stream().mapToInt(Long::intValue).toArray();
            List<EpochMetrics> history = new ArrayList<>();
            float[] weights;
            try (SocketExchange exchange = new SocketExchange(context);
                 Backend backend = Backends.open(taskDevice(device, context));
                 ShardTrainer t = new ShardTrainer(backend, config, spec, shard, globalIds, globalSize, exchange)) {
                while (t.epochsDone() < config.epochs()) {
                    EpochMetrics m = t.trainEpoch();
                    history.add(m);
                    if (m.trainLoss() <= config.targetLoss()) {
                        break;
                    }
                }
                weights = t.network().parameters();
            }
            List<TaskResult> out = context.partitionId() == 0 ? List.of(new TaskResult(weights, new ArrayList<>(history)))
                    : List.of();
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
