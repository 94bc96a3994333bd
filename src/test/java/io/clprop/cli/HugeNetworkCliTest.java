package io.clprop.cli;

import com.google.gson.JsonObject;
import io.clprop.TestDevices;
import io.clprop.backend.MemoryLimits;
import io.clprop.data.IdxFiles;
import io.clprop.data.MnistFolder;
import io.clprop.model.ModelFile;
import io.clprop.backend.Activation;
import io.clprop.nn.LossKind;
import io.clprop.nn.NetworkSpec;
import io.clprop.train.MemoryPlan;
import io.clprop.train.TrainConfig;
import io.clprop.nn.optim.OptimizerConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sizes that pass 32 bits, from the command line: `train --hidden`/`--batch`, `eval`/`predict` of a model
 * with a very wide layer, `gradcheck --hidden`/`--rows`. Each is refused as bad input (status 2, one line
 * with the true sizes, nothing printed or written) and at once: the check comes before any allocation, so
 * nothing of tens of GiB is attempted. Before these checks they gave an OutOfMemoryError, an
 * ArithmeticException, an IndexOutOfBoundsException or NegativeArraySizeException, or (65536,65536,65536 on
 * OpenCL) a network whose int-wrapped size let kernels run past their buffers.
 */
class HugeNetworkCliTest {
    /**
     * Well under what an attempted allocation of these sizes takes (zero-filling GiBs, or the heap filling
     * up); a refusal takes the data load and the device's start, a second or two on a loaded machine.
     */
    static final long QUICK_MS = 5000;
    static final int TRAIN = 50000, TEST = 30, FEATURES = 12, CLASSES = 10;

    @TempDir
    static Path data;

    @BeforeAll
    static void smallWideData() {
        // 4×3 images: few features, so the sizes below come from the network alone; 50000 rows for --batch.
        IdxFiles.writeMnistFolder(data, false, TRAIN, TEST, 4, 3);
    }

    private static void needs(String device) {
        if (device.equals("opencl")) {
            TestDevices.openCl().close(); // skip (or fail in CI) without OpenCL; warms the kernel cache
        }
    }

    /** Σ (in + 1)·out in BigInteger. */
    private static BigInteger parameters(int inputs, int[] hidden, int outputs) {
        BigInteger sum = BigInteger.ZERO;
        long in = inputs;
        int[] widths = Arrays.copyOf(hidden, hidden.length + 1);
        widths[hidden.length] = outputs;
        for (int w : widths) {
            sum = sum.add(BigInteger.valueOf(in + 1).multiply(BigInteger.valueOf(w)));
            in = w;
        }
        return sum;
    }

    private static CliTest.Result timed(String... args) {
        long t0 = System.nanoTime();
        CliTest.Result r = CliTest.run(args);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < QUICK_MS, "refused at once, before any allocation: took " + ms + " ms; " + r.err());
        return r;
    }

    /**
     * The widest buffer, counted apart from the plan: the parameters, or a layer's rows × units with rows
     * the larger of the batch and the test set (the evaluation chunk).
     */
    @ParameterizedTest(name = "{0} --hidden {1} --batch {2}")
    @CsvSource({
            "cpu, '100000,100000', 128", "opencl, '100000,100000', 128",
            "cpu, 2000000000, 128", "opencl, 2000000000, 128",
            "cpu, '65536,65536,65536', 128", "opencl, '65536,65536,65536', 128",
            "cpu, 50000, 50000", "opencl, 50000, 50000"})
    void trainRefusesABufferNoBackendHolds(String device, String hidden, int batch, @TempDir Path out) {
        needs(device);
        int[] h = Arrays.stream(hidden.split(",")).mapToInt(Integer::parseInt).toArray();
        BigInteger widest = parameters(FEATURES, h, CLASSES);
        long rows = Math.max(batch, TEST);
        for (int w : h) {
            widest = widest.max(BigInteger.valueOf(rows * w));
        }
        CliTest.Result r = timed("train", "--device", device, "--data", data.toString(), "--hidden", hidden,
                "--batch", Integer.toString(batch), "--epochs", "1", "--metrics-json", out.resolve("m.json").toString(),
                "--save", out.resolve("model.clprop").toString());
        String err = BadInput.assertRejected(r, out, "clprop: error: too large: the ", " need one buffer of " + widest
                + " floats", device.equals("cpu") ? "the CPU path's arrays hold at most 2147483639"
                : "clprop's OpenCL buffers hold at most 2147483647 elements", "use a smaller --hidden or --batch");
        assertTrue(err.startsWith("clprop: error: "), err);
    }

    /**
     * Every buffer addressable, but more than the Java heap in all (Adam keeps two more parameter-sized
     * buffers, each float a double): refused by the plan, not by an OutOfMemoryError part-way.
     */
    @Test
    void trainOnTheCpuPathRefusesMoreThanTheHeap(@TempDir Path out) {
        int[] h = {45000, 45000}; // 2026080010 parameters: just below the array limit
        TrainConfig c = TrainConfig.defaults().toBuilder().hidden(h).batch(128)
                .optimizer(OptimizerConfig.of(OptimizerConfig.Kind.ADAM)).build();
        MnistFolder.TrainTest tt = MnistFolder.load(data);
        NetworkSpec spec = NetworkSpec.mlp(FEATURES, h, c.activations(), CLASSES, c.loss());
        long heap = MemoryPlan.forTrainer(spec, c, tt.train(), null, tt.test(), 128).totalBytes(MemoryLimits.Kind.JAVA_HEAP);
        Assumptions.assumeTrue(heap > Runtime.getRuntime().maxMemory(), "this JVM's heap could hold " + heap + " bytes");

        CliTest.Result r = timed("train", "--device", "cpu", "--data", data.toString(), "--hidden", "45000,45000",
                "--optimizer", "adam", "--epochs", "1", "--metrics-json", out.resolve("m.json").toString());
        BadInput.assertRejected(r, out, "not enough memory: training on the CPU path needs " + MemoryPlan.sized(heap)
                + " of Java heap", "the JVM's heap holds at most " + MemoryPlan.sized(Runtime.getRuntime().maxMemory()),
                "use fewer samples (--train-limit, --test-limit), a smaller --batch or --hidden, or a larger -Xmx");
    }

    /**
     * A consistent model file of 35 MB (1-2200000-2: 8.8 million parameters) whose 1000-row chunk of the
     * wide layer is 2.2·10^9 floats: eval and predict refuse it with that size.
     */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl"})
    void evalAndPredictRefuseAModelWhoseActivationsPassTheLimit(String device, @TempDir Path dir,
                                                               @TempDir Path out) throws IOException {
        needs(device);
        NetworkSpec spec = NetworkSpec.mlp(1, new int[]{2200000}, Activation.RELU, 2, LossKind.SOFTMAX_CE);
        Path model = dir.resolve("wide.clprop");
        new ModelFile(spec, new float[Math.toIntExact(spec.parameterCount())], null, List.of("a", "b"), List.of("x"),
                new JsonObject()).write(model);
        List<String> lines = new ArrayList<>(List.of("x,label"));
        for (int i = 0; i < 1000; i++) {
            lines.add(i * 0.001 + "," + (i % 2 == 0 ? "a" : "b"));
        }
        Path csv = Files.write(dir.resolve("data.csv"), lines);
        String size = "too large: the layer 1 outputs for 1000 rows need one buffer of 2200000000 floats (8.2 GiB)";

        CliTest.Result r = timed("eval", "--model", model.toString(), "--format", "csv", "--data", csv.toString(),
                "--label-column", "label", "--device", device, "--json", out.resolve("e.json").toString());
        BadInput.assertRejected(r, out, size);
        r = timed("predict", "--model", model.toString(), "--format", "csv", "--input", csv.toString(),
                "--label-column", "label", "--device", device, "--output", out.resolve("p.csv").toString());
        BadInput.assertRejected(r, out, size);
    }

    /**
     * 65536-65535-65536 has 8589869056 parameters, which an int wraps to −65536: below gradcheck's limit of
     * 20000, so the check passed and a negative array length followed.
     */
    @Test
    void gradcheckCountsParametersInLong(@TempDir Path out) {
        CliTest.Result r = timed("gradcheck", "--device", "cpu", "--inputs", "65535", "--hidden", "65535",
                "--outputs", "65536");
        BadInput.assertRejected(r, out, parameters(65535, new int[]{65535}, 65536) + " parameters is too many");
    }

    /** --rows × the widest layer (7 inputs, 8 and 6 hidden, 5 outputs) past an array: 3.2·10^9 values. */
    @Test
    void gradcheckRefusesRowsPastAnArray(@TempDir Path out) {
        CliTest.Result r = timed("gradcheck", "--device", "cpu", "--rows", "400000000");
        BadInput.assertRejected(r, out, "too large: --rows 400000000 rows of 8 values need one buffer of 3200000000 "
                + "floats", "the CPU path's arrays hold at most 2147483639");
    }
}
