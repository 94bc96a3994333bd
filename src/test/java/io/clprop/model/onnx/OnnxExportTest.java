package io.clprop.model.onnx;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;
import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import io.clprop.TestDevices;
import io.clprop.backend.Activation;
import io.clprop.backend.Backend;
import io.clprop.backend.WindowGeometry;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.data.Dataset;
import io.clprop.data.FeatureFill;
import io.clprop.data.MnistFolder;
import io.clprop.data.Standardizer;
import io.clprop.model.ModelFile;
import io.clprop.model.Predictor;
import io.clprop.nn.Conv2dSpec;
import io.clprop.nn.DenseSpec;
import io.clprop.nn.LayerList;
import io.clprop.nn.LossKind;
import io.clprop.nn.MaxPoolSpec;
import io.clprop.nn.Network;
import io.clprop.nn.NetworkSpec;
import io.clprop.train.TrainConfig;
import io.clprop.train.Trainer;
import io.clprop.util.UserError;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Exported models run by ONNX Runtime give what clprop's {@link Predictor} gives (what {@code predict}
 * prints) for the same raw samples: every activation, convolutions and max-pools with strides, padding and
 * leftover rows, preprocessing (missing-value fill, standardisation), MSE and softmax-CE outputs, models
 * trained on Fashion-MNIST; and the file's signature and metadata are as documented.
 *
 * <p>Tolerance: 1e-5 absolute on outputs in [0, 1]. Both sides compute in float32, but in other orders (ONNX
 * Runtime's blocked GEMM and convolution sums against clprop's loops, its own exp/tanh approximations, and the
 * standardisation rounded twice in ONNX — subtract, then divide — where clprop rounds once from double):
 * differences of a few float32 ulps in each layer, which reach outputs near 1 as a few 1e-7. A wrong weight
 * layout, padding, pool or preprocessing step moves outputs by 1e-2 and more.
 */
class OnnxExportTest {
    static final double TOLERANCE = 1e-5;
    /** The largest difference seen over the class's comparisons, printed at the end. */
    static double largest;
    static String largestWhere = "";

    @AfterAll
    static void report() {
        System.out.printf("largest |ONNX Runtime − clprop| over the comparisons: %.3g (%s)%n", largest, largestWhere);
    }

    /** What clprop predicts for {@code raw} samples: the model's fill, its standardisation, the forward pass. */
    static float[] clprop(Backend backend, ModelFile m, float[] raw, int rows) {
        float[] x = m.fill() != null ? m.fill().apply(raw).values() : raw;
        x = m.standardizer() != null ? m.standardizer().apply(x) : x;
        try (Network n = m.toNetwork(backend, rows)) {
            return Predictor.predict(backend, n, x, rows).outputs();
        }
    }

    /** The input's shape for {@code rows} samples, as {@link OnnxExport} documents it. */
    static long[] inputShape(ModelFile m, int rows) {
        return m.spec().inputShape().map(s -> new long[]{rows, s.channels(), s.height(), s.width()})
                .orElse(new long[]{rows, m.spec().inputs()});
    }

    /** Asserts ONNX Runtime and clprop on {@code backend} agree on {@code raw}; returns the largest difference. */
    static double assertAgree(String what, ModelFile m, float[] raw, int rows, Backend backend) throws OrtException {
        byte[] onnx = OnnxExport.toBytes(m, "test");
        float[] ort = OnnxRuntimeRun.outputs(onnx, raw, inputShape(m, rows));
        float[] ours = clprop(backend, m, raw, rows);
        assertEquals(ours.length, ort.length, what);
        double max = 0, lo = Double.MAX_VALUE, hi = -Double.MAX_VALUE;
        for (int i = 0; i < ours.length; i++) {
            assertTrue(Float.isFinite(ort[i]), what + ": output " + i + " is " + ort[i]);
            max = Math.max(max, Math.abs(ort[i] - ours[i]));
            lo = Math.min(lo, ours[i]);
            hi = Math.max(hi, ours[i]);
        }
        // Outputs that barely vary would agree even through a wrong graph: the cases must spread them.
        assertTrue(hi - lo > 0.1, what + ": outputs only span " + lo + ".." + hi);
        assertTrue(max <= TOLERANCE, what + ": ONNX Runtime and clprop differ by " + max);
        synchronized (OnnxExportTest.class) {
            if (max > largest) {
                largest = max;
                largestWhere = what;
            }
        }
        return max;
    }

    static double assertAgree(String what, ModelFile m, float[] raw, int rows) throws OrtException {
        try (Backend cpu = new CpuBackend()) {
            return assertAgree(what, m, raw, rows, cpu);
        }
    }

    /**
     * Parameters drawn from a normal distribution scaled by each layer's fan-in (1.5/√fan-in for weights, 0.3 for
     * biases): pre-activations of a few units, so every activation is used on both sides of its bend.
     */
    static float[] randomParameters(NetworkSpec spec, long seed) {
        Random r = new Random(seed);
        float[] p = new float[Math.toIntExact(spec.parameterCount())];
        for (int l = 0; l < spec.layers().size(); l++) {
            int fanIn = spec.layers().get(l).fanIn(spec.inputsOf(l));
            int bias = spec.biasOffset(l), end = spec.weightOffset(l + 1);
            for (int i = spec.weightOffset(l); i < end; i++) {
                p[i] = (float) (r.nextGaussian() * (i < bias ? 1.5 / Math.sqrt(fanIn) : 0.3));
            }
        }
        return p;
    }

    static float[] gaussian(int n, double scale, long seed) {
        Random r = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * scale);
        }
        return x;
    }

    static ModelFile random(NetworkSpec spec, long seed) {
        return new ModelFile(spec, randomParameters(spec, seed), null, List.of(), null);
    }

    // ---- layers and activations -----------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(Activation.class)
    void everyActivationInAnMlp(Activation a) throws OrtException {
        for (LossKind loss : LossKind.values()) {
            NetworkSpec spec = NetworkSpec.mlp(10, new int[]{16, 12}, a, 5, loss);
            assertAgree(a.specName() + " " + loss.specName, random(spec, 3), gaussian(64 * 10, 1.5, 4), 64);
        }
    }

    @ParameterizedTest
    @EnumSource(Activation.class)
    void everyActivationAfterAConvolution(Activation a) throws OrtException {
        NetworkSpec spec = Network.builder().input(2, 6, 5).conv(3, 3, 1, 1, a).flatten()
                .output(4, LossKind.SOFTMAX_CE).build();
        assertAgree("conv " + a.specName(), random(spec, 5), gaussian(40 * 60, 1.5, 6), 40);
    }

    /** Strides, padding, overlapping and padded pools, leftover rows and columns, two of each layer. */
    static NetworkSpec cnn(LossKind loss) {
        // 2×9×8 → conv k3 s2 p1 → 4×5×4 → pool k3 s2 p1 → 4×3×2 → conv k2 p1 → 3×4×3 → pool 2 (a column
        // left over) → 3×2×1 → dense 6 → 4.
        return Network.builder().input(2, 9, 8).conv(4, 3, 2, 1, Activation.ELU).maxPool(3, 2, 1)
                .conv(3, 2, 1, 1, Activation.LEAKY_RELU).maxPool(2).flatten().dense(6, Activation.TANH)
                .output(4, loss).build();
    }

    @ParameterizedTest
    @EnumSource(LossKind.class)
    void convolutionsAndPoolsWithStridesPaddingAndLeftovers(LossKind loss) throws OrtException {
        NetworkSpec spec = cnn(loss);
        assertEquals(List.of(4, 5, 4), List.of(((Conv2dSpec) spec.layers().get(0)).output().channels(),
                ((Conv2dSpec) spec.layers().get(0)).output().height(), ((Conv2dSpec) spec.layers().get(0)).output().width()));
        assertEquals(6, spec.layers().get(3).units(), "3×2×1 after the last pool");
        assertAgree("cnn " + loss.specName, random(spec, 7), gaussian(50 * 144, 1.5, 8), 50);
    }

    @Test
    void layersAnyNetworkSpecAllows() throws OrtException {
        // A pool first, a convolution after a dense layer (its rows read as 3×2×2 images: a Reshape), and an
        // MSE output layer without an activation (an Identity node names the output).
        NetworkSpec spec = new NetworkSpec(72, List.of(
                new MaxPoolSpec(new WindowGeometry(2, 6, 6, 2, 2, 0)),
                new DenseSpec(12, Activation.RELU),
                new Conv2dSpec(new WindowGeometry(3, 2, 2, 2, 1, 1), 2, Activation.SIGMOID),
                new DenseSpec(3, Activation.IDENTITY)), LossKind.MSE);
        assertAgree("pool first, conv after dense", random(spec, 9), gaussian(30 * 72, 1.5, 10), 30);
    }

    // ---- preprocessing --------------------------------------------------------------------------------

    /** Raw features on very different scales and offsets, about one cell in seven NaN (missing). */
    static float[] rawWithGaps(int rows, int d, long seed, boolean gaps) {
        float[] x = gaussian(rows * d, 1, seed);
        for (int i = 0; i < x.length; i++) {
            int j = i % d;
            x[i] = (float) (x[i] * Math.pow(10, j % 4 - 1) + 50 * j);
            if (gaps && (i * 5 + j) % 7 == 0) {
                x[i] = Float.NaN;
            }
        }
        return x;
    }

    /** A standardiser and a mean fill fitted on {@code fitOn}'s present values, as training does. */
    static ModelFile withPreprocessing(NetworkSpec spec, float[] fitOn, int rows, long seed) {
        int d = spec.inputs();
        FeatureFill fill = FeatureFill.fit(FeatureFill.Policy.MEAN, new Dataset(fitOn, new int[rows], d, 2),
                List.of(), java.nio.file.Path.of("train.csv"));
        Standardizer s = Standardizer.fit(new Dataset(fill.apply(fitOn).values(), new int[rows], d, 2));
        return new ModelFile(spec, randomParameters(spec, seed), s, List.of(), List.of(), fill, null);
    }

    @Test
    void missingValuesAreFilledThenStandardised() throws OrtException {
        NetworkSpec spec = NetworkSpec.mlp(6, new int[]{10}, Activation.TANH, 3, LossKind.SOFTMAX_CE);
        ModelFile m = withPreprocessing(spec, rawWithGaps(200, 6, 11, true), 200, 12);
        float[] raw = rawWithGaps(80, 6, 13, true);
        assertTrue(Arrays.toString(raw).contains("NaN"));
        assertAgree("fill and standardise", m, raw, 80);
        // Without the fill in the graph the NaN would reach the output: the fill is what the test checks.
        ModelFile unfilled = new ModelFile(spec, m.parameters(), m.standardizer(), List.of(), List.of(), null, null);
        float[] ort = OnnxRuntimeRun.outputs(OnnxExport.toBytes(unfilled, "test"), raw, new long[]{80, 6});
        assertTrue(Float.isNaN(ort[0]), "row 0 has a gap, so without a fill its outputs are NaN");
    }

    @Test
    void imagePreprocessingBroadcastsPerPixel() throws OrtException {
        // A CSV-trained convolutional network: fill and standardisation per pixel, applied to [N, C, H, W].
        NetworkSpec spec = cnn(LossKind.SOFTMAX_CE);
        ModelFile m = withPreprocessing(spec, rawWithGaps(100, 144, 14, true), 100, 15);
        assertAgree("cnn with fill and standardise", m, rawWithGaps(40, 144, 16, true), 40);
    }

    // ---- trained on Fashion-MNIST ---------------------------------------------------------------------

    static ModelFile trainOnFashion(Function<TrainConfig.Builder, TrainConfig.Builder> network) {
        MnistFolder.TrainTest data = TestDevices.fashionMnist();
        TrainConfig c = network.apply(TrainConfig.builder().learningRate(0.1).batch(50).epochs(1).seed(3)).build();
        try (Backend cpu = new CpuBackend(); Trainer t = new Trainer(cpu, c, data.train().head(600), data.test().head(200))) {
            double accuracy = t.fit(e -> { }).get(0).testAccuracy();
            assertTrue(accuracy > 0.4, "a model that learnt something: " + accuracy);
            return new ModelFile(t.spec(), t.network().parameters(), null,
                    List.of("t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag",
                            "boot"), null);
        }
    }

    @Test
    void fashionMnistMlpAndCnn() throws OrtException {
        MnistFolder.TrainTest data = TestDevices.fashionMnist();
        Dataset images = data.test().select(java.util.stream.IntStream.range(5000, 5500).toArray());
        ModelFile mlp = trainOnFashion(b -> b.hidden(64).activation(Activation.RELU));
        ModelFile cnn = trainOnFashion(b -> b.layers(LayerList.parse(
                "conv:8:3:pad1,relu,maxpool:2,conv:8:3,relu,maxpool:2,flatten,dense:32,relu,dense:10")));
        assertEquals(List.of(-1L, 784L), longs(OnnxRuntimeRun.signature(OnnxExport.toBytes(mlp, "t")).input()));
        assertEquals(List.of(-1L, 1L, 28L, 28L), longs(OnnxRuntimeRun.signature(OnnxExport.toBytes(cnn, "t")).input()));
        assertAgree("fashion mlp", mlp, images.features(), images.size());
        assertAgree("fashion cnn", cnn, images.features(), images.size());
    }

    @Test
    void theDeviceAgreesToo() throws OrtException {
        // predict runs on the OpenCL device by default; its kernels against the same ONNX outputs.
        try (Backend device = TestDevices.openCl()) {
            NetworkSpec spec = cnn(LossKind.SOFTMAX_CE);
            ModelFile m = withPreprocessing(spec, rawWithGaps(100, 144, 17, true), 100, 18);
            assertAgree("cnn on the device", m, rawWithGaps(40, 144, 19, true), 40, device);
            NetworkSpec mlp = NetworkSpec.mlp(10, new int[]{16, 12}, Activation.SOFTPLUS, 5, LossKind.MSE);
            assertAgree("mlp on the device", random(mlp, 20), gaussian(64 * 10, 1.5, 21), 64, device);
        }
    }

    // ---- the file -------------------------------------------------------------------------------------

    static List<Long> longs(TensorInfo t) {
        return Arrays.stream(t.getShape()).boxed().toList();
    }

    @Test
    void signatureAndMetadataAreAsDocumented() throws OrtException {
        NetworkSpec spec = NetworkSpec.mlp(3, new int[]{4}, Activation.RELU, 2, LossKind.SOFTMAX_CE);
        ModelFile m = new ModelFile(spec, randomParameters(spec, 1), null, List.of("no \"quote\"", "ünï"),
                List.of("a", "b,c", "d"), null, null);
        byte[] onnx = OnnxExport.toBytes(m, "9.8.7");
        OnnxRuntimeRun.Signature s = OnnxRuntimeRun.signature(onnx);
        assertEquals(List.of(OnnxExport.INPUT), List.copyOf(s.inputs().keySet()), "initializers are not inputs");
        assertEquals(List.of(OnnxExport.OUTPUT), List.copyOf(s.outputs().keySet()));
        assertEquals(List.of(-1L, 3L), longs(s.input()));
        assertEquals(OnnxExport.BATCH, s.input().getDimensionNames()[0]);
        assertEquals(List.of(-1L, 2L), longs(s.output()));
        assertEquals(OnnxExport.BATCH, s.output().getDimensionNames()[0]);
        assertEquals(ai.onnxruntime.OnnxJavaType.FLOAT, s.input().type);
        assertEquals("clprop", s.producer());
        assertEquals(Map.of(OnnxExport.META_CLASSES, "[\"no \\\"quote\\\"\",\"ünï\"]",
                OnnxExport.META_FEATURES, "[\"a\",\"b,c\",\"d\"]",
                OnnxExport.META_LOSS, "softmax-ce",
                OnnxExport.META_NETWORK, "3-4-2 relu/identity softmax-ce"), s.metadata());
        JsonArray classes = JsonParser.parseString(s.metadata().get(OnnxExport.META_CLASSES)).getAsJsonArray();
        assertEquals("no \"quote\"", classes.get(0).getAsString());

        // What the session does not report, read from the file's top-level fields.
        Map<Integer, List<Object>> top = ProtoFields.read(onnx);
        assertEquals(List.of(7L), top.get(1), "ir_version");
        assertEquals(List.of("9.8.7"), ProtoFields.strings(top.get(3)), "producer_version");
        Map<Integer, List<Object>> opset = ProtoFields.read((byte[]) top.get(8).get(0));
        assertEquals(List.of(13L), opset.get(2), "opset version");
        assertEquals(List.of(""), ProtoFields.strings(opset.get(1)), "the default domain");
    }

    @Test
    void modelsWithoutNamesListTheClassIndices() throws OrtException {
        NetworkSpec spec = NetworkSpec.mlp(3, new int[]{4}, Activation.RELU, 3, LossKind.MSE);
        OnnxRuntimeRun.Signature s = OnnxRuntimeRun.signature(OnnxExport.toBytes(random(spec, 2), "t"));
        assertEquals("[\"0\",\"1\",\"2\"]", s.metadata().get(OnnxExport.META_CLASSES));
        assertEquals("[]", s.metadata().get(OnnxExport.META_FEATURES));
        assertEquals("mse", s.metadata().get(OnnxExport.META_LOSS));
    }

    @Test
    void aModelTooLargeForOneFileIsRefusedBeforeItIsBuilt() {
        NetworkSpec spec = NetworkSpec.mlp(100, new int[]{50}, Activation.RELU, 10, LossKind.SOFTMAX_CE);
        ModelFile m = random(spec, 3);
        // (100 + 1)·50 + (50 + 1)·10 = 5560 parameters, plus 3·100 preprocessing values: 23440 bytes.
        UserError e = assertThrows(UserError.class, () -> OnnxExport.toBytes(m, "t", 23439));
        assertTrue(e.getMessage().contains("5560 parameters (23440 bytes"), e.getMessage());
        assertTrue(OnnxExport.toBytes(m, "t", 23440).length > 4 * 5560, "written at the limit, its weights in it");
    }

    @Test
    void theSameModelGivesTheSameBytes() {
        ModelFile m = random(cnn(LossKind.MSE), 4);
        assertArrayEquals(OnnxExport.toBytes(m, "t"), OnnxExport.toBytes(m, "t"));
    }
}
