package io.clprop.train;

import io.clprop.SyntheticData;
import io.clprop.TestDevices;
import io.clprop.backend.Backend;
import io.clprop.backend.MemoryLimits;
import io.clprop.backend.TransferStats;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.backend.opencl.OpenClBackend;
import io.clprop.data.Dataset;
import io.clprop.backend.Activation;
import io.clprop.nn.Init;
import io.clprop.nn.LossKind;
import io.clprop.nn.NetworkSpec;
import io.clprop.util.UserError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory plan lists exactly what a trainer allocates, and a device too small for it is refused with the
 * sizes needed and available before anything is allocated or uploaded.
 */
class MemoryPlanTest {
    @AfterEach
    void noLimit() {
        System.clearProperty(MemoryLimits.PROPERTY);
    }

    private static TrainConfig config(LossKind loss, int batch) {
        return new TrainConfig(new int[]{9, 6}, Activation.TANH, loss, 0.1f, batch, 1, 0, 1, Init.AUTO);
    }

    private static MemoryPlan plan(TrainConfig c, Dataset train, Dataset test, int maxRows) {
        NetworkSpec spec = NetworkSpec.mlp(train.featureCount(), c.hidden(), c.activations(), train.numClasses(), c.loss());
        ValidationSplit split = ValidationSplit.of(train, c.validation(), c.seed());
        return MemoryPlan.forTrainer(spec, c, split.train(), split.validation(), test, maxRows);
    }

    private static void assertPlanIsWhatTheTrainerAllocates(TrainConfig c, Dataset train, Dataset test) {
        try (OpenClBackend b = TestDevices.openCl()) {
            long bytes = b.liveBytes();
            int buffers = b.liveBuffers();
            try (Trainer t = new Trainer(b, c, train, test)) {
                MemoryPlan p = plan(c, train, test, t.network().maxRows());
                assertEquals(p.totalBytes(), b.liveBytes() - bytes, "device bytes: plan " + p.buffers());
                assertEquals(p.buffers().size(), b.liveBuffers() - buffers, "buffers");
            }
        }
    }

    /** With optimizer state, a validation set (evaluated in chunks) and early stopping's best weights. */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"ADAM, MSE", "MOMENTUM, SOFTMAX_CE", "NESTEROV, MSE"})
    void countsOptimizerStateValidationAndBestWeights(io.clprop.nn.optim.OptimizerConfig.Kind kind, LossKind loss) {
        Dataset train = SyntheticData.blobs(2600, 13, 4, 0.3, 1);
        Dataset test = SyntheticData.blobs(333, 13, 4, 0.3, 2);
        TrainConfig c = config(loss, 32).toBuilder().optimizer(io.clprop.nn.optim.OptimizerConfig.of(kind))
                .validation(0.45).patience(2).build();
        assertPlanIsWhatTheTrainerAllocates(c, train, test);
    }

    /** Test sets above and below Trainer.Evaluator.CHUNK_ROWS, both losses (MSE adds targets), no test set, odd sizes. */
    @ParameterizedTest(name = "{0} train={1} test={2} batch={3}")
    @CsvSource({"SOFTMAX_CE, 301, 1103, 16", "MSE, 300, 50, 64", "SOFTMAX_CE, 97, 0, 7", "MSE, 1, 0, 1"})
    void listsExactlyWhatTheTrainerAllocates(LossKind loss, int n, int m, int batch) {
        Dataset train = SyntheticData.blobs(n, 13, 4, 0.3, 1);
        Dataset test = m == 0 ? null : SyntheticData.blobs(m, 13, 4, 0.3, 2);
        TrainConfig c = config(loss, batch);
        assertPlanIsWhatTheTrainerAllocates(c, train, test);
    }

    /** Dropout adds one buffer of batch rows per hidden layer (the dropped outputs), and nothing when off. */
    @ParameterizedTest(name = "{0} batch={1}")
    @CsvSource({"SOFTMAX_CE, 16", "MSE, 7"})
    void countsDropoutBuffers(LossKind loss, int batch) {
        Dataset train = SyntheticData.blobs(301, 13, 4, 0.3, 1);
        Dataset test = SyntheticData.blobs(1103, 13, 4, 0.3, 2);
        TrainConfig c = config(loss, batch).toBuilder().dropout(0.25).build();
        assertPlanIsWhatTheTrainerAllocates(c, train, test);
        MemoryPlan with = plan(c, train, test, 1000), without = plan(config(loss, batch), train, test, 1000);
        assertEquals(4L * batch * (9 + 6), with.totalBytes() - without.totalBytes());
    }

    /**
     * A convolutional network: its layers' outputs and gradients, the max-pools' int indices, dropout's
     * dropped outputs on the image layers, and the one workspace the convolutions share (their windows and
     * products, sized by the largest), with a validation set evaluated in chunks and Adam's state.
     */
    @ParameterizedTest(name = "{0} dropout={1}")
    @CsvSource({"'conv:5:3:pad1,relu,maxpool:2,conv:3:3:stride2:pad1,tanh,flatten,dense:7,relu,dense:4', 0",
            "'conv:5:3:pad1,relu,maxpool:2,conv:3:3:stride2:pad1,tanh,flatten,dense:7,relu,dense:4', 0.25",
            "'maxpool:3:stride2:pad1,conv:7:2,relu,flatten,dense:4', 0"})
    void countsAConvolutionalNetworksBuffersAndWorkspace(String layers, double dropout) {
        io.clprop.util.ImageShape shape = new io.clprop.util.ImageShape(2, 7, 6);
        Dataset train = SyntheticData.images(301, shape, 4, 0.3, 1);
        Dataset test = SyntheticData.images(1103, shape, 4, 0.3, 2);
        TrainConfig c = TrainConfig.builder().layers(io.clprop.nn.LayerList.parse(layers)).batch(16).seed(1)
                .optimizer(io.clprop.nn.optim.OptimizerConfig.adam()).validation(0.2).dropout(dropout).build();
        try (OpenClBackend b = TestDevices.openCl()) {
            long bytes = b.liveBytes();
            int buffers = b.liveBuffers();
            try (Trainer t = new Trainer(b, c, train, test)) {
                NetworkSpec spec = t.spec();
                int maxRows = t.network().maxRows();
                ValidationSplit split = ValidationSplit.of(train, c.validation(), c.seed());
                MemoryPlan p = MemoryPlan.forTrainer(spec, c, split.train(), split.validation(), test, maxRows);
                assertEquals(p.totalBytes(), b.liveBytes() - bytes, "device bytes: plan " + p.buffers());
                assertEquals(p.buffers().size(), b.liveBuffers() - buffers, "buffers");
                MemoryPlan.Buffer ws = p.buffers().stream().filter(x -> x.name().contains("workspace")).findFirst()
                        .orElseThrow(() -> new AssertionError("no workspace in " + p.buffers()));
                assertEquals(spec.workspace(maxRows), ws.elements());
                assertTrue(spec.workspace(maxRows) > 0);
                long poolIndices = p.buffers().stream().filter(x -> x.name().endsWith("indices")).count();
                assertEquals(1, poolIndices, p.buffers().toString());
                assertTrue(p.buffers().stream().filter(x -> x.name().endsWith("indices")).allMatch(MemoryPlan.Buffer::ints),
                        "a max-pool's indices are ints (4 bytes on the CPU path too)");
            }
        }
    }

    /** An MLP has no workspace: nothing is planned for one, and nothing allocated. */
    @Test
    void anMlpPlansNoWorkspace() {
        MemoryPlan p = plan(config(LossKind.SOFTMAX_CE, 16), SyntheticData.blobs(40, 5, 3, 0.3, 1), null, 16);
        assertTrue(p.buffers().stream().noneMatch(x -> x.name().contains("workspace")), p.buffers().toString());
    }

    @Test
    void tooSmallDeviceIsRefusedBeforeAnyAllocation() {
        Dataset train = SyntheticData.blobs(200, 13, 4, 0.3, 1);
        Dataset test = SyntheticData.blobs(50, 13, 4, 0.3, 2);
        TrainConfig c = config(LossKind.MSE, 16);
        long needed = plan(c, train, test, 50).totalBytes();
        try (OpenClBackend b = TestDevices.openCl()) {
            int buffers = b.liveBuffers();
            TransferStats before = b.transfers().snapshot();
            System.setProperty(MemoryLimits.PROPERTY, Long.toString(needed - 1));

            UserError e = assertThrows(UserError.class, () -> new Trainer(b, c, train, test).close());

            String msg = e.getMessage();
            assertTrue(msg.startsWith("not enough device memory: training needs " + MemoryPlan.sized(needed)), msg);
            assertTrue(msg.contains("but " + b.device().summary() + " has " + MemoryPlan.sized(needed - 1)), msg);
            assertTrue(msg.contains(MemoryLimits.PROPERTY + "=" + (needed - 1)), "says where the limit came from: " + msg);
            assertTrue(msg.contains("use fewer samples (trainLimit, testLimit)"), "says what to do: " + msg);
            assertEquals(buffers, b.liveBuffers(), "nothing allocated");
            assertEquals(0, b.transfers().since(before).hostToDeviceBytes(), "nothing uploaded");

            System.setProperty(MemoryLimits.PROPERTY, Long.toString(needed)); // exactly enough
            assertDoesNotThrow(() -> new Trainer(b, c, train, test).close());
        }
    }

    @Test
    void oneBufferAboveTheLargestAllocationIsRefused() {
        Dataset train = SyntheticData.blobs(200, 13, 4, 0.3, 1);
        MemoryPlan p = plan(config(LossKind.SOFTMAX_CE, 16), train, null, 16);
        long largest = 4L * 200 * 13; // the training features
        assertEquals(largest, p.buffers().stream().mapToLong(MemoryPlan.Buffer::bytes).max().orElseThrow());

        UserError e = assertThrows(UserError.class,
                () -> p.check(new MemoryLimits("dev", Long.MAX_VALUE, largest - 4, "as reported")));
        assertTrue(e.getMessage().contains("the training features need one buffer of " + MemoryPlan.sized(largest)
                + " but dev allows at most " + MemoryPlan.sized(largest - 4) + " per buffer"), e.getMessage());
        assertDoesNotThrow(() -> p.check(new MemoryLimits("dev", p.totalBytes(), largest, "as reported")));
    }

    @Test
    void groupsAddUpToTheTotal() {
        MemoryPlan p = plan(config(LossKind.MSE, 8), SyntheticData.blobs(40, 5, 3, 0.3, 1),
                SyntheticData.blobs(9, 5, 3, 0.3, 2), 9);
        assertEquals(p.totalBytes(), p.byGroup().values().stream().mapToLong(Long::longValue).sum());
        assertEquals(3, p.byGroup().size(), p.byGroup().toString());
    }

    // ---- sizes past 32 bits -----------------------------------------------------------------------------

    /** SGD, softmax-CE, no validation or test set: a plan simple enough to write out by hand below. */
    private static TrainConfig plain(String hidden, int batch) {
        int[] h = Arrays.stream(hidden.split(",")).mapToInt(Integer::parseInt).toArray();
        return config(LossKind.SOFTMAX_CE, batch).toBuilder().hidden(h).activations(java.util.List.of(Activation.RELU))
                .build();
    }

    /** Element counts of {@link #plain}'s buffers in BigInteger, apart from the plan's long arithmetic. */
    private record Expected(BigInteger params, BigInteger floats, BigInteger ints, BigInteger widest) {
        static Expected of(TrainConfig c, int n, int d, int classes, int maxRows) {
            BigInteger params = BigInteger.ZERO, activations = BigInteger.ZERO, widest = BigInteger.ZERO;
            long in = d;
            int[] widths = Arrays.copyOf(c.hidden(), c.hidden().length + 1);
            widths[widths.length - 1] = classes;
            for (int w : widths) {
                params = params.add(BigInteger.valueOf(in + 1).multiply(BigInteger.valueOf(w)));
                BigInteger rows = BigInteger.valueOf(maxRows).multiply(BigInteger.valueOf(w));
                activations = activations.add(rows.shiftLeft(1)); // outputs and gradients
                widest = widest.max(rows);
                in = w;
            }
            long b = c.batchSize();
            BigInteger floats = BigInteger.valueOf((long) n * d)       // training features
                    .add(params.shiftLeft(1))                            // parameters, gradients
                    .add(BigInteger.valueOf(maxRows)).add(activations)   // row losses, layer buffers
                    .add(BigInteger.valueOf(b * d))                      // batch features
                    .add(BigInteger.valueOf((n + b - 1) / b + 1));       // step losses and flag
            BigInteger ints = BigInteger.valueOf(n + b + n);             // labels, batch labels, permutation
            return new Expected(params, floats, ints, widest.max(params));
        }

        BigInteger deviceBytes() {
            return floats.add(ints).shiftLeft(2);
        }

        BigInteger heapBytes() {
            return floats.shiftLeft(3).add(ints.shiftLeft(2));
        }
    }

    /**
     * Widths whose parameter count passes 2^31 (65536³ passes 2^33, and an int count wraps to 1638410, a
     * plan of a few MiB): the plan's sizes are the true ones, and the refusal names the true buffer size.
     */
    @ParameterizedTest
    @ValueSource(strings = {"100000,100000", "2000000000", "65536,65536,65536"})
    void overflowingWidthsAreCountedExactly(String hidden) {
        Dataset train = SyntheticData.blobs(200, 13, 4, 0.3, 1);
        TrainConfig c = plain(hidden, 16);
        MemoryPlan p = plan(c, train, null, 16);
        Expected want = Expected.of(c, 200, 13, 4, 16);
        assertEquals(want.deviceBytes(), BigInteger.valueOf(p.totalBytes()));
        assertEquals(want.heapBytes(), BigInteger.valueOf(p.totalBytes(MemoryLimits.Kind.JAVA_HEAP)));
        assertEquals(want.params().shiftLeft(3), BigInteger.valueOf(p.byGroup().get("model")), "4 bytes × 2 buffers");

        UserError e = assertThrows(UserError.class,
                () -> p.check(new MemoryLimits("dev", Long.MAX_VALUE, Long.MAX_VALUE, "as reported")));
        assertTrue(e.getMessage().contains(" need one buffer of " + want.widest() + " floats ("
                + MemoryLimits.formatWords(want.widest().longValueExact()) + "); clprop's OpenCL buffers hold at most "
                + Integer.MAX_VALUE + " elements"), e.getMessage());
        assertTrue(e.getMessage().contains("; training needs " + MemoryPlan.sized(want.deviceBytes().longValueExact())
                + " in all; "), e.getMessage());
    }

    @Test
    void theCpuPathRefusesABufferPastTheJavaArrayLimit() {
        Dataset train = SyntheticData.blobs(200, 13, 4, 0.3, 1);
        TrainConfig c = plain("100000,100000", 16);
        MemoryPlan p = plan(c, train, null, 16);
        Expected want = Expected.of(c, 200, 13, 4, 16);
        // An unlimited heap, so that only the array limit can refuse it.
        UserError e = assertThrows(UserError.class, () -> p.check(MemoryLimits.javaHeap("cpu", Long.MAX_VALUE)));
        assertEquals("too large: the parameters need one buffer of " + want.params() + " floats (37.3 GiB); the CPU "
                + "path's arrays hold at most 2147483639; training needs " + MemoryPlan.sized(want.heapBytes()
                .longValueExact()) + " of Java heap in all; use a smaller hidden or batchSize", e.getMessage());
    }

    /** Floats are doubles on the CPU path: the heap check counts 8 bytes for them, 4 for ints. */
    @Test
    void theCpuPathRefusesAPlanAboveTheMaximumHeap() {
        Dataset train = SyntheticData.blobs(200, 13, 4, 0.3, 1);
        TrainConfig c = plain("300,200", 16);
        MemoryPlan p = plan(c, train, null, 16);
        long heap = Expected.of(c, 200, 13, 4, 16).heapBytes().longValueExact();

        UserError e = assertThrows(UserError.class, () -> p.check(MemoryLimits.javaHeap("cpu", heap - 1)));
        String msg = e.getMessage();
        assertTrue(msg.startsWith("not enough memory: training on the CPU path needs " + MemoryPlan.sized(heap)
                + " of Java heap for data sets "), msg);
        assertTrue(msg.contains("but the JVM's heap holds at most " + MemoryPlan.sized(heap - 1)
                + " (Runtime.maxMemory(), set with -Xmx"), msg);
        assertTrue(msg.contains("use fewer samples (trainLimit, testLimit)") && msg.contains("-Xmx"), "says what to do: " + msg);
        assertDoesNotThrow(() -> p.check(MemoryLimits.javaHeap("cpu", heap)), "exactly enough");
    }

    private static Backend open(String device) {
        return device.equals("cpu") ? new CpuBackend() : TestDevices.openCl();
    }

    /** The trainer checks the plan on both backends before its first allocation or upload. */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl"})
    void aTrainerRefusesAnOverflowingNetworkBeforeAllocating(String device) {
        Dataset train = SyntheticData.blobs(200, 13, 4, 0.3, 1);
        TrainConfig c = plain("65536,65536,65536", 16);
        try (Backend b = open(device)) {
            int buffers = b.liveBuffers();
            TransferStats before = b.transfers().snapshot();
            UserError e = assertThrows(UserError.class, () -> new Trainer(b, c, train, null).close());
            assertTrue(e.getMessage().startsWith("too large: the parameters need one buffer of "
                    + Expected.of(c, 200, 13, 4, 16).params() + " floats"), e.getMessage());
            assertEquals(buffers, b.liveBuffers(), "nothing allocated");
            assertEquals(0, b.transfers().since(before).hostToDeviceBytes(), "nothing uploaded");
        }
    }
}
