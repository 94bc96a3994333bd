package io.clprop.spark;

import io.clprop.SyntheticData;
import io.clprop.TestDevices;
import io.clprop.backend.Backend;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.data.Dataset;
import io.clprop.nn.LayerList;
import io.clprop.nn.optim.OptimizerConfig;
import io.clprop.train.TrainConfig;
import io.clprop.train.Trainer;
import io.clprop.util.ImageShape;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training on a real cluster of separate executor JVMs, from the Maven jars alone: Spark's
 * {@code local-cluster[2,1,1024]} (two workers, one core and 1 GiB each), the settings it needs without a
 * Spark installation being those measured in the shared facts (Scala version and testing flag for the
 * executors, the test class path as their class path, loopback addresses). Each test trains one global batch
 * order on two tasks and compares the weights with one process training the same samples in the same order:
 * within the training cross-check's tolerance, 1e-4 · max|w| (measured ratios printed).
 */
class SparkTrainingTest {
    static JavaSparkContext sc;

    @BeforeAll
    static void cluster() throws java.io.IOException {
        // One "GPU" per executor, as Spark's resource scheduling assigns them: a discovery script that reports
        // address 0 (the OpenCL device number the tasks then open with --device gpu).
        java.nio.file.Path script = java.nio.file.Files.createTempFile("clprop-gpus", ".sh");
        java.nio.file.Files.writeString(script, "#!/bin/sh\necho '{\"name\": \"gpu\", \"addresses\": [\"0\"]}'\n");
        script.toFile().setExecutable(true);
        script.toFile().deleteOnExit();
        SparkConf conf = new SparkConf().setMaster("local-cluster[2,1,1024]").setAppName("clprop-test")
                .set("spark.executorEnv.SPARK_SCALA_VERSION", "2.12")
                .set("spark.executorEnv.SPARK_TESTING", "1")
                .set("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .set("spark.executor.memory", "768m")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false")
                .set("spark.worker.resource.gpu.amount", "1")
                .set("spark.worker.resource.gpu.discoveryScript", script.toString())
                .set("spark.executor.resource.gpu.amount", "1")
                .set("spark.executor.resource.gpu.discoveryScript", script.toString())
                .set("spark.task.resource.gpu.amount", "1")
                // PoCL in the executors needs HotSpot's signal chaining, as the CLI's JVM does.
                .set("spark.executorEnv.LD_PRELOAD", System.getProperty("java.home") + "/lib/libjsig.so");
        for (String v : new String[]{"CLPROP_TEST_DEVICE", "OCL_ICD_VENDORS", "POCL_CACHE_DIR", "RUSTICL_ENABLE"}) {
            String value = System.getenv(v);
            if (value != null) {
                conf.set("spark.executorEnv." + v, value);
            }
        }
        sc = new JavaSparkContext(conf);
        sc.setLogLevel("WARN");
    }

    @AfterAll
    static void stop() {
        if (sc != null) {
            sc.stop();
        }
    }

    static JavaRDD<Sample> rdd(Dataset data, int partitions) {
        List<Sample> samples = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            samples.add(new Sample(data.row(i), data.labels()[i]));
        }
        return sc.parallelize(samples, partitions);
    }

    static float[] oneProcess(TrainConfig config, Dataset data) {
        try (Backend cpu = new CpuBackend(); Trainer t = new Trainer(cpu, config, data, null)) {
            t.fit(m -> { });
            return t.network().parameters();
        }
    }

    static void assertClose(String name, float[] reference, float[] actual) {
        io.clprop.WeightsClose.assertClose("spark " + name, reference, actual, 1e-4);
    }

    @Test
    void twoExecutorsOnTheCpuPathTrainAsOneProcess() {
        Dataset data = SyntheticData.blobs(1000, 20, 5, 0.3, 11);
        TrainConfig config = TrainConfig.builder().hidden(13).learningRate(0.01).batch(40).epochs(2).seed(3)
                .optimizer(OptimizerConfig.adam()).build();
        ClpropSpark.Trained t = ClpropSpark.fit(rdd(data, 2), new ClpropSpark.DataShape(20, 5, null), config, "cpu");
        assertEquals(2, t.history().size());
        assertClose("mlp on the cpu path", oneProcess(config, data), t.parameters());
        System.out.println("spark epochs: " + t.history());
    }

    @Test
    void twoExecutorsOnTheGpusSparkAssignedTrainACnnAsOneProcess() {
        TestDevices.openCl().close(); // the device the executors use must exist here too (a failure in CI)
        ImageShape shape = new ImageShape(1, 6, 6);
        Dataset data = SyntheticData.images(480, shape, 3, 0.3, 7);
        TrainConfig config = TrainConfig.builder().layers(LayerList.parse("conv:3:3:pad1,relu,maxpool:2,flatten,dense:3"))
                .learningRate(0.1).batch(32).epochs(1).seed(5).build();
        // --device gpu: each task opens the OpenCL device Spark assigned it (address 0, the test device).
        String device = "gpu";
        ClpropSpark.Trained t = ClpropSpark.fit(rdd(data, 2), new ClpropSpark.DataShape(36, 3, shape), config, device);
        assertClose("cnn on " + device, oneProcess(config, data), t.parameters());
    }

    @Test
    void theSparkSubmitEntryPointTrainsTheModelOfTrain(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        io.clprop.data.IdxFiles.writeMnistFolder(dir, false, 400, 100, 6, 6);
        java.nio.file.Path one = dir.resolve("one.clprop"), cluster = dir.resolve("cluster.clprop");
        String[] common = {"--data", dir.toString(), "--hidden", "9", "--batch", "25", "--epochs", "2", "--optimizer",
                "adam", "--lr", "0.01", "--device", "cpu", "--no-progress"};
        java.io.StringWriter out = new java.io.StringWriter(), err = new java.io.StringWriter();
        int status = io.clprop.cli.Main.run(concat(new String[]{"train"}, common, "--save", one.toString()),
                new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true));
        assertEquals(0, status, err.toString());
        java.io.StringWriter sout = new java.io.StringWriter(), serr = new java.io.StringWriter();
        status = io.clprop.cli.SparkTrain.run(concat(common, "--partitions", "2", "--save", cluster.toString()),
                new java.io.PrintWriter(sout, true), new java.io.PrintWriter(serr, true));
        assertEquals(0, status, sout + " " + serr);
        assertTrue(sout.toString().contains("2 tasks on --device cpu"), sout.toString());
        assertTrue(sout.toString().contains("model written to"), sout.toString());
        assertClose("spark-train vs train", io.clprop.model.ModelFile.read(one).parameters(),
                io.clprop.model.ModelFile.read(cluster).parameters());
        java.io.StringWriter bad = new java.io.StringWriter();
        assertEquals(2, io.clprop.cli.SparkTrain.run(concat(common, "--dropout", "0.2"), new java.io.PrintWriter(
                new java.io.StringWriter(), true), new java.io.PrintWriter(bad, true)));
        assertTrue(bad.toString().contains("dropout") && bad.toString().strip().lines().count() == 1, bad.toString());
    }

    /**
     * An executor JVM killed in the middle of the run (the task of partition 1 halts its JVM at the start of
     * epoch 2, first attempt): Spark retries the barrier stage on the executor the worker starts anew, from the
     * state epoch 1 ended with, and the run ends with the weights of the run that was never interrupted, bit
     * for bit (the CPU path is deterministic), and within tolerance of one process.
     */
    @Test
    void anExecutorKilledMidRunIsReplacedAndTheRunEndsExactly() {
        Dataset data = SyntheticData.blobs(600, 10, 4, 0.3, 13);
        TrainConfig config = TrainConfig.builder().hidden(7).learningRate(0.01).batch(30).epochs(3).seed(9)
                .optimizer(OptimizerConfig.adam()).build();
        ClpropSpark.DataShape shape = new ClpropSpark.DataShape(10, 4, null);
        ClpropSpark.Trained clean = ClpropSpark.fit(rdd(data, 2), shape, config, "cpu", 0, (m, x) -> { }, null);
        List<Integer> epochs = new ArrayList<>();
        long t0 = System.nanoTime();
        ClpropSpark.Trained killed = ClpropSpark.fit(rdd(data, 2), shape, config, "cpu", 0, (m, x) -> epochs.add(m.epoch()),
                new KillExecutorAtEpoch2());
        System.out.printf("spark: the run with an executor killed took %.1f s%n", (System.nanoTime() - t0) / 1e9);
        assertEquals(List.of(1, 2, 3), epochs);
        org.junit.jupiter.api.Assertions.assertArrayEquals(clean.parameters(), killed.parameters(),
                "the retried run differs from the one never interrupted");
        assertClose("after an executor was killed", oneProcess(config, data), killed.parameters());
    }

    static final class KillExecutorAtEpoch2 implements ClpropSpark.TaskHook {
        @Override
        public void beforeEpoch(org.apache.spark.BarrierTaskContext context, int epoch) {
            if (epoch == 2 && context.partitionId() == 1 && context.stageAttemptNumber() == 0) {
                Runtime.getRuntime().halt(137);
            }
        }
    }

    @Test
    void aDataFrameOfFeatureArraysAndLabelsTrainsAsOneProcess() {
        Dataset data = SyntheticData.blobs(400, 8, 3, 0.3, 21);
        List<org.apache.spark.sql.Row> rows = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            float[] r = data.row(i);
            Double[] boxed = new Double[r.length];
            for (int j = 0; j < r.length; j++) {
                boxed[j] = (double) r[j];
            }
            rows.add(org.apache.spark.sql.RowFactory.create(java.util.Arrays.asList(boxed), (long) data.labels()[i]));
        }
        org.apache.spark.sql.SparkSession spark = org.apache.spark.sql.SparkSession.builder().sparkContext(sc.sc())
                .getOrCreate();
        org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
                .add("x", org.apache.spark.sql.types.DataTypes.createArrayType(org.apache.spark.sql.types.DataTypes.DoubleType))
                .add("y", org.apache.spark.sql.types.DataTypes.LongType);
        org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> frame = spark.createDataFrame(rows, schema);
        assertEquals(2, frame.javaRDD().getNumPartitions());
        List<org.apache.spark.sql.Row> ordered = frame.collectAsList();
        float[] x = new float[ordered.size() * 8];
        int[] y = new int[ordered.size()];
        for (int i = 0; i < ordered.size(); i++) {
            List<Object> v = ordered.get(i).getList(0);
            for (int j = 0; j < 8; j++) {
                x[i * 8 + j] = ((Double) v.get(j)).floatValue();
            }
            y[i] = (int) ordered.get(i).getLong(1);
        }
        TrainConfig config = TrainConfig.builder().hidden(5).learningRate(0.3).batch(16).epochs(1).seed(4).build();
        ClpropSpark.Trained t = ClpropSpark.fit(frame, "x", "y", new ClpropSpark.DataShape(8, 3, null), config, "cpu");
        assertClose("data frame", oneProcess(config, new Dataset(x, y, 8, 3)), t.parameters());
        org.junit.jupiter.api.Assertions.assertThrows(io.clprop.util.InvalidSetting.class,
                () -> ClpropSpark.fit(frame, "x", "label", new ClpropSpark.DataShape(8, 3, null), config, "cpu"));
        org.junit.jupiter.api.Assertions.assertThrows(io.clprop.util.InvalidSetting.class,
                () -> ClpropSpark.fit(frame, "y", "y", new ClpropSpark.DataShape(8, 3, null), config, "cpu"));
    }

    @Test
    void sparkTrainReadsParquetWhereSparkHoldsIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        Dataset data = SyntheticData.blobs(300, 6, 3, 0.3, 8);
        List<org.apache.spark.sql.Row> rows = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            List<Float> x = new ArrayList<>();
            for (float v : data.row(i)) {
                x.add(v);
            }
            rows.add(org.apache.spark.sql.RowFactory.create(x, data.labels()[i]));
        }
        org.apache.spark.sql.SparkSession spark = org.apache.spark.sql.SparkSession.builder().sparkContext(sc.sc())
                .getOrCreate();
        org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
                .add("pixels", org.apache.spark.sql.types.DataTypes.createArrayType(org.apache.spark.sql.types.DataTypes.FloatType))
                .add("label", org.apache.spark.sql.types.DataTypes.IntegerType);
        String path = dir.resolve("train.parquet").toString();
        spark.createDataFrame(rows, schema).write().parquet(path);
        // The reference: one process on the rows in the order Spark reads them back.
        List<org.apache.spark.sql.Row> back = spark.read().parquet(path).collectAsList();
        float[] x = new float[back.size() * 6];
        int[] y = new int[back.size()];
        for (int i = 0; i < back.size(); i++) {
            List<Object> v = back.get(i).getList(0);
            for (int j = 0; j < 6; j++) {
                x[i * 6 + j] = (Float) v.get(j);
            }
            y[i] = back.get(i).getInt(1);
        }
        java.nio.file.Path model = dir.resolve("m.clprop");
        java.io.StringWriter out = new java.io.StringWriter(), err = new java.io.StringWriter();
        int status = io.clprop.cli.SparkTrain.run(new String[]{"--parquet", path, "--features-column", "pixels",
                "--hidden", "5", "--batch", "20", "--epochs", "1", "--lr", "0.3", "--device", "cpu", "--save",
                model.toString()}, new java.io.PrintWriter(out, true), new java.io.PrintWriter(err, true));
        assertEquals(0, status, out + " " + err);
        assertTrue(out.toString().contains("300 train samples of 6 features, 3 classes"), out.toString());
        TrainConfig config = TrainConfig.builder().hidden(5).batch(20).epochs(1).learningRate(0.3).build();
        assertClose("parquet", oneProcess(config, new Dataset(x, y, 6, 3)), io.clprop.model.ModelFile.read(model)
                .parameters());
        java.io.StringWriter bad = new java.io.StringWriter();
        assertEquals(2, io.clprop.cli.SparkTrain.run(new String[]{"--parquet", path, "--device", "cpu"},
                new java.io.PrintWriter(new java.io.StringWriter(), true), new java.io.PrintWriter(bad, true)));
        assertTrue(bad.toString().contains("no column features"), bad.toString());
    }

    /** ML vectors as a pipeline's VectorAssembler makes them, dense and sparse (every third row sparse). */
    @Test
    void aDataFrameOfMlVectorsTrainsAsOneProcess() {
        Dataset data = SyntheticData.blobs(240, 5, 3, 0.3, 17);
        List<org.apache.spark.sql.Row> rows = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            float[] r = data.row(i);
            double[] d = new double[r.length];
            for (int j = 0; j < r.length; j++) {
                d[j] = r[j];
            }
            org.apache.spark.ml.linalg.Vector v = org.apache.spark.ml.linalg.Vectors.dense(d);
            rows.add(org.apache.spark.sql.RowFactory.create(i % 3 == 0 ? v.toSparse() : v, data.labels()[i]));
        }
        org.apache.spark.sql.SparkSession spark = org.apache.spark.sql.SparkSession.builder().sparkContext(sc.sc())
                .getOrCreate();
        org.apache.spark.sql.types.StructType schema = new org.apache.spark.sql.types.StructType()
                .add("v", new org.apache.spark.ml.linalg.VectorUDT())
                .add("y", org.apache.spark.sql.types.DataTypes.IntegerType);
        org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> frame = spark.createDataFrame(rows, schema);
        TrainConfig config = TrainConfig.builder().hidden(4).learningRate(0.3).batch(16).epochs(1).seed(6).build();
        ClpropSpark.Trained t = ClpropSpark.fit(frame, "v", "y", new ClpropSpark.DataShape(5, 3, null), config, "cpu");
        // Dense doubles of float values are those floats exactly, so the reference is the float data itself.
        assertClose("ml vectors", oneProcess(config, data), t.parameters());
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static String[] concat(String[] a, String[] b, String... c) {
        return concat(concat(a, b), c);
    }
}
