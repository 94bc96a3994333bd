package io.clprop.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.clprop.backend.Activation;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.data.FeatureFill;
import io.clprop.data.Standardizer;
import io.clprop.nn.LossKind;
import io.clprop.nn.Network;
import io.clprop.nn.NetworkSpec;
import io.clprop.util.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Model files of format version 2, whose network lists typed layers: convolutional networks come back as
 * they were written, version-1 files (dense layers only) still load, and every header that does not describe
 * a network is refused naming the file and the field.
 */
class ModelFileNetworksTest {
    @TempDir
    Path dir;

    /** The reference CNN: PyTorch's usual MNIST example, 421,642 parameters. */
    static NetworkSpec referenceCnn() {
        return Network.builder().input(1, 28, 28)
                .conv(32, 3, 1, 1, Activation.RELU).maxPool(2)
                .conv(64, 3, 1, 1, Activation.RELU).maxPool(2)
                .flatten().dense(128, Activation.RELU).output(10, LossKind.SOFTMAX_CE)
                .build();
    }

    /** Stride 2, padding 2, a 5×5 kernel, an overlapping pool with padding, three input channels. */
    static NetworkSpec awkwardCnn() {
        return Network.builder().input(3, 17, 13)
                .conv(6, 5, 2, 2, Activation.TANH)         // 6×9×7
                .maxPool(3, 2, 1)                           // 6×5×4
                .conv(4, 2, 1, 0, Activation.LEAKY_RELU)    // 4×4×3
                .flatten().dense(5, Activation.ELU).output(3, LossKind.MSE)
                .build();
    }

    static float[] parameters(NetworkSpec spec) {
        float[] p = new float[Math.toIntExact(spec.parameterCount())];
        for (int k = 0; k < p.length; k++) {
            p[k] = (float) Math.sin(k * 0.37 + 0.5) * 0.2f;
        }
        return p;
    }

    static ModelFile model(NetworkSpec spec) {
        JsonObject trained = new JsonObject();
        trained.addProperty("epochs", 3);
        return new ModelFile(spec, parameters(spec), null, List.of(), List.of(), trained);
    }

    private ModelFile roundTrip(ModelFile m, String name) {
        Path f = dir.resolve(name);
        m.write(f);
        ModelFile back = ModelFile.read(f);
        assertEquals(m.spec(), back.spec());
        assertArrayEquals(m.parameters(), back.parameters(), "bit-equal floats");
        return back;
    }

    @Test
    void theReferenceCnnRoundTrips() {
        NetworkSpec spec = referenceCnn();
        assertEquals(421_642, spec.parameterCount());
        ModelFile back = roundTrip(model(spec), "cnn.clprop");
        assertEquals("1×28×28 conv:32:3:pad1,relu,maxpool:2,conv:64:3:pad1,relu,maxpool:2,flatten,dense:128,relu,"
                + "dense:10 softmax-ce", back.spec().describe());
        assertEquals(3, back.trained().get("epochs").getAsInt());
    }

    @Test
    void theReferenceCnnsHeaderReadsLikeItsPytorchSequential() {
        Path f = dir.resolve("cnn.clprop");
        model(referenceCnn()).write(f);
        ClpropFile c = ModelFile.container(f);
        assertEquals(2, c.version());
        JsonObject expected = JsonParser.parseString("""
                {"inputs": 784, "input_shape": [1, 28, 28], "layers": [
                  {"type": "conv", "channels": 32, "kernel": 3, "stride": 1, "padding": 1, "activation": "relu"},
                  {"type": "maxpool", "kernel": 2, "stride": 2, "padding": 0},
                  {"type": "conv", "channels": 64, "kernel": 3, "stride": 1, "padding": 1, "activation": "relu"},
                  {"type": "maxpool", "kernel": 2, "stride": 2, "padding": 0},
                  {"type": "flatten"},
                  {"type": "dense", "units": 128, "activation": "relu"},
                  {"type": "dense", "units": 10, "activation": "identity"}],
                 "loss": "softmax-ce"}""").getAsJsonObject();
        assertEquals(expected, c.header().getAsJsonObject("network"));
        assertEquals(421_642, c.f32("parameters").length);
    }

    @Test
    void anAwkwardCnnRoundTrips() {
        NetworkSpec spec = awkwardCnn();
        assertEquals(6 * (3 * 25 + 1) + 4 * (6 * 4 + 1) + (48 + 1) * 5 + (5 + 1) * 3, spec.parameterCount());
        ModelFile back = roundTrip(model(spec), "awkward.clprop");
        assertEquals("3×17×13 conv:6:5:stride2:pad2,tanh,maxpool:3:stride2:pad1,conv:4:2,leaky-relu,flatten,"
                + "dense:5,elu,dense:3,sigmoid mse", back.spec().describe());
    }

    @Test
    void anMlpIsWrittenAtVersion2WithDenseLayersOnly() {
        ModelFile m = new ModelFile(ModelFileTest.sample(true, List.of("no", "yes"), ModelFileTest.FEATURES).spec(),
                ModelFileTest.sample(false, List.of()).parameters(),
                new Standardizer(new float[]{1, -2, 3.5f}, new float[]{0.5f, 1, 2}), List.of("no", "yes"),
                ModelFileTest.FEATURES, new FeatureFill(FeatureFill.Policy.MEAN, new float[]{1.25f, -3e-7f, 1e30f}),
                new JsonObject());
        Path f = dir.resolve("mlp.clprop");
        m.write(f);
        ClpropFile c = ModelFile.container(f);
        assertEquals(2, c.version());
        JsonObject net = c.header().getAsJsonObject("network");
        assertFalse(net.has("input_shape"));
        assertEquals(JsonParser.parseString("""
                [{"type": "dense", "units": 5, "activation": "tanh"}, {"type": "dense", "units": 4, "activation": "relu"},
                 {"type": "dense", "units": 2, "activation": "sigmoid"}]"""), net.get("layers"));
        ModelFile back = ModelFile.read(f);
        assertEquals(m.spec(), back.spec());
        assertArrayEquals(m.parameters(), back.parameters());
        assertEquals(m.featureNames(), back.featureNames());
        assertEquals(m.classNames(), back.classNames());
        assertEquals(m.standardizer(), back.standardizer());
        assertEquals(m.fill(), back.fill());
    }

    @Test
    void aLoadedCnnPredictsOnTheCpu() {
        ModelFile back = roundTrip(model(referenceCnn()), "cnn.clprop");
        int rows = 3;
        float[] x = new float[rows * 784];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i * 7919 % 255) / 255f;
        }
        try (CpuBackend cpu = new CpuBackend(); Network n = back.toNetwork(cpu, 2)) {
            Predictor.Prediction p = Predictor.predict(cpu, n, x, rows);
            assertEquals(rows * 10, p.outputs().length);
            for (int r = 0; r < rows; r++) {
                double sum = 0;
                for (int k = 0; k < 10; k++) {
                    sum += p.outputs()[r * 10 + k];
                }
                assertEquals(1, sum, 1e-5, "row " + r + " holds probabilities");
                assertTrue(p.classes()[r] >= 0 && p.classes()[r] < 10);
            }
        }
    }

    // ---- version 1 ------------------------------------------------------------------------------------

    /** A model file as clprop wrote it before version 2: the header, key for key, and sections of that code. */
    static ClpropFile version1File() {
        JsonObject h = JsonParser.parseString("""
                {"network": {"inputs": 3, "layers": [{"units": 5, "activation": "tanh"},
                                                    {"units": 4, "activation": "relu"},
                                                    {"units": 2, "activation": "sigmoid"}], "loss": "mse"},
                 "features": ["sepal length", "petal,width", "ünïcode"],
                 "classes": ["no", "yes"],
                 "standardized": true,
                 "missing": "error",
                 "trained": {"epochs": 7, "test_accuracy": 0.9375}}""").getAsJsonObject();
        LinkedHashMap<String, float[]> f32 = new LinkedHashMap<>();
        f32.put("parameters", ModelFileTest.sample(false, List.of()).parameters());
        f32.put("feature_mean", new float[]{1, -2, 3.5f});
        f32.put("feature_std", new float[]{0.5f, 1, 2});
        return new ClpropFile(ModelFile.MAGIC, 1, h, f32, new LinkedHashMap<>());
    }

    @Test
    void aVersion1FileLoadsAsBefore() throws Exception {
        Path f = dir.resolve("v1.clprop");
        version1File().write(f);
        assertEquals(1, ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN).getInt(8));
        ModelFile back = ModelFile.read(f);
        ModelFile expected = ModelFileTest.sample(true, List.of("no", "yes"), ModelFileTest.FEATURES);
        assertEquals(expected.spec(), back.spec());
        assertEquals("3-5-4-2 tanh/relu/sigmoid mse", back.spec().describe());
        assertArrayEquals(expected.parameters(), back.parameters());
        assertEquals(expected.standardizer(), back.standardizer());
        assertEquals(expected.classNames(), back.classNames());
        assertEquals(expected.featureNames(), back.featureNames());
        assertEquals(expected.trained(), back.trained());
    }

    @Test
    void aVersion1FileIgnoresExtraLayerKeysAsItsReaderDid() {
        ClpropFile c = version1File();
        JsonObject h = c.header();
        h.getAsJsonObject("network").getAsJsonArray("layers").get(0).getAsJsonObject().addProperty("note", "x");
        Path f = dir.resolve("v1-extra.clprop");
        new ClpropFile(ModelFile.MAGIC, 1, h, c.f32Sections(), new LinkedHashMap<>()).write(f);
        assertEquals(ModelFileTest.sample(false, List.of()).spec(), ModelFile.read(f).spec());
    }

    @Test
    void anUnknownVersionIsRefused() {
        ClpropFile c = model(referenceCnn()).toContainer();
        Path f = dir.resolve("v3.clprop");
        new ClpropFile(ModelFile.MAGIC, 3, c.header(), c.f32Sections(), new LinkedHashMap<>()).write(f);
        assertEquals(f + ": unsupported format version 3 (this clprop reads model files of versions 1 and 2)",
                assertThrows(UserError.class, () -> ModelFile.read(f)).getMessage());
    }

    // ---- refusals -------------------------------------------------------------------------------------

    /** The reference CNN's file with its network object (and parameters) edited; the refusal's message. */
    String errorAfter(Consumer<JsonObject> editNetwork, Consumer<LinkedHashMap<String, float[]>> editSections) {
        ClpropFile c = model(referenceCnn()).toContainer();
        JsonObject h = c.header();
        editNetwork.accept(h.getAsJsonObject("network"));
        LinkedHashMap<String, float[]> f32 = c.f32Sections();
        editSections.accept(f32);
        Path f = dir.resolve("model.clprop");
        new ClpropFile(ModelFile.MAGIC, c.version(), h, f32, new LinkedHashMap<>()).write(f);
        UserError e = assertThrows(UserError.class, () -> ModelFile.read(f));
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage().substring(f.toString().length() + 2);
    }

    String errorAfter(Consumer<JsonObject> editNetwork) {
        return errorAfter(editNetwork, s -> { });
    }

    static Consumer<JsonObject> layer(int l, Consumer<JsonObject> edit) {
        return n -> edit.accept(n.getAsJsonArray("layers").get(l).getAsJsonObject());
    }

    @Test
    void unknownTypesAndKeysAndMissingKeysAreNamed() {
        assertEquals("network.layers[1].type: unknown layer type \"avgpool\" (expected conv, maxpool, flatten or dense)",
                errorAfter(layer(1, o -> o.addProperty("type", "avgpool"))));
        assertEquals("network.layers[1].type is missing", errorAfter(layer(1, o -> o.remove("type"))));
        assertEquals("network.layers[1].type must be a string", errorAfter(layer(1, o -> o.addProperty("type", 2))));
        assertEquals("network.layers[0]: unknown key \"dilation\" (expected activation, channels, kernel, padding,"
                + " stride, type)", errorAfter(layer(0, o -> o.addProperty("dilation", 1))));
        assertEquals("network.layers[4]: unknown key \"units\" (expected type)",
                errorAfter(layer(4, o -> o.addProperty("units", 3))));
        assertEquals("network.layers[1]: unknown key \"activation\" (expected kernel, padding, stride, type)",
                errorAfter(layer(1, o -> o.addProperty("activation", "relu"))));
        assertEquals("network: unknown key \"dropout\" (expected input_shape, inputs, layers, loss)",
                errorAfter(n -> n.addProperty("dropout", 0.5)));
        assertTrue(errorAfter(layer(0, o -> o.remove("kernel"))).startsWith("network.layers[0].kernel is missing"));
        assertTrue(errorAfter(layer(3, o -> o.remove("padding"))).startsWith("network.layers[3].padding is missing"));
        assertTrue(errorAfter(layer(6, o -> o.remove("units"))).startsWith("network.layers[6].units is missing"));
        assertEquals("network.layers[2].activation is missing", errorAfter(layer(2, o -> o.remove("activation"))));
        assertTrue(errorAfter(layer(2, o -> o.addProperty("activation", "swish")))
                .startsWith("network.layers[2]: unknown activation 'swish'"));
        assertTrue(errorAfter(n -> n.remove("loss")).startsWith("network.loss is missing"));
        assertTrue(errorAfter(n -> n.remove("inputs")).startsWith("network.inputs is missing"));
    }

    @Test
    void theOutputLayerMustBeTheLosss() {
        assertEquals("network.layers[6]: the output layer's activation is relu, but softmax-ce needs identity before it"
                + " (sigmoid before mse)", errorAfter(layer(6, o -> o.addProperty("activation", "relu"))));
        assertEquals("network.layers[6]: the output layer's activation is identity, but mse needs sigmoid before it"
                + " (identity before softmax-ce)", errorAfter(n -> n.addProperty("loss", "mse")));
        // Version 1 as well: its softmax-ce models had identity outputs, its mse models sigmoid ones.
        ClpropFile c = version1File();
        JsonObject h = c.header();
        h.getAsJsonObject("network").addProperty("loss", "softmax-ce");
        Path f = dir.resolve("v1-sigmoid-ce.clprop");
        new ClpropFile(ModelFile.MAGIC, 1, h, c.f32Sections(), new LinkedHashMap<>()).write(f);
        assertEquals(f + ": network.layers[2]: the output layer's activation is sigmoid, but softmax-ce needs identity"
                + " before it (sigmoid before mse)", assertThrows(UserError.class, () -> ModelFile.read(f)).getMessage());
    }

    @Test
    void sizesOutOfRangeAreRefusedBeforeTheyAreUsed() {
        assertEquals("network.layers[0].channels must be a positive whole number (at most 65536), got 0",
                errorAfter(layer(0, o -> o.addProperty("channels", 0))));
        assertEquals("network.layers[0].channels must be a positive whole number (at most 65536), got 65537",
                errorAfter(layer(0, o -> o.addProperty("channels", 65537))));
        assertEquals("network.layers[2].kernel must be a positive whole number (at most 65536), got 2.5",
                errorAfter(layer(2, o -> o.addProperty("kernel", 2.5))));
        assertEquals("network.layers[1].stride must be a positive whole number (at most 65536), got 0",
                errorAfter(layer(1, o -> o.addProperty("stride", 0))));
        assertEquals("network.layers[0].padding must be a whole number from 0 to 65536, got -1",
                errorAfter(layer(0, o -> o.addProperty("padding", -1))));
        assertEquals("network.layers[0].padding must be a whole number from 0 to 65536, got 4294967297",
                errorAfter(layer(0, o -> o.addProperty("padding", 4294967297L))));
        assertEquals("network.layers[5].units must be a positive whole number (at most 2147483647), got 0",
                errorAfter(layer(5, o -> o.addProperty("units", 0))));
    }

    @Test
    void inputShapesThatDoNotHoldTheInputsAreRefused() {
        assertEquals("network.input_shape 1×28×29 holds 812 values, but network.inputs is 784",
                errorAfter(n -> n.getAsJsonArray("input_shape").set(2, new com.google.gson.JsonPrimitive(29))));
        assertEquals("network.input_shape must be an array [channels, height, width]",
                errorAfter(n -> n.getAsJsonArray("input_shape").remove(0)));
        assertEquals("network.input_shape must be an array [channels, height, width]",
                errorAfter(n -> n.addProperty("input_shape", "1x28x28")));
        assertEquals("network.input_shape[0] must be a positive whole number (at most 65536), got 0",
                errorAfter(n -> n.getAsJsonArray("input_shape").set(0, new com.google.gson.JsonPrimitive(0))));
        assertEquals("network.layers[0]: needs images, but the input is a width (784); give network.input_shape",
                errorAfter(n -> n.remove("input_shape")));
    }

    @Test
    void layersThatDoNotFitTogetherAreRefusedAtTheirIndex() {
        assertEquals("network.layers[4]: after an image layer, a flatten layer must come before it",
                errorAfter(n -> n.getAsJsonArray("layers").remove(4)));
        assertEquals("network.layers[5]: needs images, but the layers before it are already flat (after a flatten"
                + " or a dense layer)", errorAfter(n -> n.getAsJsonArray("layers").asList().add(5, flatten())));
        assertEquals("network.layers[2]: a 40×40 window does not fit a 14×14 image padded by 1",
                errorAfter(layer(2, o -> o.addProperty("kernel", 40))));
        assertEquals("network.layers[1]: a max-pool's padding must be at most half its window, got padding 2 for a"
                + " 2×2 window", errorAfter(layer(1, o -> o.addProperty("padding", 2))));
        assertEquals("network.layers[0]: the last layer must be dense (the output layer), not conv",
                errorAfter(n -> {
                    JsonArray only = new JsonArray();
                    only.add(n.getAsJsonArray("layers").get(0));
                    n.add("layers", only);
                }));
        assertEquals("network.layers must be a non-empty array", errorAfter(n -> n.add("layers", new JsonArray())));
        assertEquals("network.layers[3] is not an object",
                errorAfter(n -> n.getAsJsonArray("layers").set(3, new com.google.gson.JsonPrimitive("maxpool"))));
    }

    private static JsonObject flatten() {
        JsonObject flatten = new JsonObject();
        flatten.addProperty("type", "flatten");
        return flatten;
    }

    @Test
    void theParameterCountMustMatchTheSection() {
        assertEquals("the network 1×28×28 conv:32:3:pad1,relu,maxpool:2,conv:64:3:pad1,relu,maxpool:2,flatten,"
                + "dense:128,relu,dense:10 softmax-ce has 421642 parameters but the \"parameters\" section holds 7",
                errorAfter(n -> { }, s -> s.put("parameters", new float[7])));
        // 64 channels instead of 32 in the first convolution: the count changes, the section does not.
        assertTrue(errorAfter(layer(0, o -> o.addProperty("channels", 64))).endsWith(" has 440394 parameters but"
                + " the \"parameters\" section holds 421642"));
    }

    /** A padding near the largest side makes OH·OW pass 2^31 alone: refused, not wrapped to a plausible size. */
    @Test
    void anOutputTooLargeForATensorRowIsRefused() {
        String e = errorAfter(n -> {
            n.addProperty("inputs", 46340 * 46340);
            JsonArray shape = new JsonArray();
            shape.add(1);
            shape.add(46340);
            shape.add(46340);
            n.add("input_shape", shape);
            n.getAsJsonArray("layers").get(0).getAsJsonObject().addProperty("padding", 65536);
        });
        assertTrue(e.startsWith("network.layers[0]: ") && e.endsWith("over a 46340×46340 image padded by 65536 makes"
                + " 177410×177410 windows, more than a tensor row holds"), e);
    }
}
