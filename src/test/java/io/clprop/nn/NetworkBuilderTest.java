package io.clprop.nn;

import io.clprop.backend.Activation;

import io.clprop.SyntheticData;
import io.clprop.backend.WindowGeometry;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.data.Dataset;
import io.clprop.train.TrainConfig;
import io.clprop.train.Trainer;
import io.clprop.util.ImageShape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static io.clprop.backend.Activation.IDENTITY;
import static io.clprop.backend.Activation.RELU;
import static io.clprop.backend.Activation.SIGMOID;
import static io.clprop.backend.Activation.TANH;
import static io.clprop.nn.LossKind.MSE;
import static io.clprop.nn.LossKind.SOFTMAX_CE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Network.builder(): the same specs as NetworkSpec.mlp, and a clear message for each way to get it wrong. */
class NetworkBuilderTest {

    @Test
    void theReferenceNetworkIsWhatMlpBuilds() {
        NetworkSpec built = Network.builder().input(784).dense(256, RELU).dense(128, RELU).output(10, SOFTMAX_CE).build();
        NetworkSpec mlp = NetworkSpec.mlp(784, new int[]{256, 128}, RELU, 10, SOFTMAX_CE);
        assertEquals(mlp, built);
        assertEquals("784-256-128-10 relu/relu/identity softmax-ce", built.describe());
        assertEquals((784 + 1) * 256 + (256 + 1) * 128 + (128 + 1) * 10, built.parameterCount());
    }

    @Test
    void theOutputActivationComesFromTheLoss() {
        NetworkSpec mse = Network.builder().input(5).dense(8, TANH).output(3, MSE).build();
        assertEquals(SIGMOID, mse.layers().get(1).activation());
        assertEquals(NetworkSpec.mlp(5, new int[]{8}, TANH, 3, MSE), mse);
        NetworkSpec ce = Network.builder().input(5).dense(8, TANH).output(3, SOFTMAX_CE).build();
        assertEquals(IDENTITY, ce.layers().get(1).activation());
    }

    @Test
    void anOutputLayerSpelledOutWithLoss() {
        NetworkSpec explicit = Network.builder().input(784).dense(256, RELU).dense(10, IDENTITY).loss(SOFTMAX_CE).build();
        assertEquals(Network.builder().input(784).dense(256, RELU).output(10, SOFTMAX_CE).build(), explicit);
        // Any activation may be chosen that way, also one output() would not pick.
        NetworkSpec mseLinear = Network.builder().input(2).dense(1, IDENTITY).loss(MSE).build();
        assertEquals(IDENTITY, mseLinear.layers().get(0).activation());
        assertEquals(MSE, mseLinear.loss());
    }

    @Test
    void perLayerActivationsAndNoHiddenLayer() {
        NetworkSpec spec = Network.builder().input(6).dense(5, TANH).dense(4, RELU).dense(3, SIGMOID).output(2, MSE).build();
        assertEquals(NetworkSpec.mlp(6, new int[]{5, 4, 3}, new Activation[]{TANH, RELU, SIGMOID}, 2, MSE), spec);
        assertArrayEquals(new int[]{5, 4, 3}, spec.hiddenWidths());
        assertEquals(List.of(TANH, RELU, SIGMOID), spec.hiddenActivations());
        NetworkSpec logistic = Network.builder().input(3).output(2, SOFTMAX_CE).build();
        assertEquals(1, logistic.layers().size());
        assertEquals(0, logistic.hiddenWidths().length);
    }

    @Test
    void buildTwiceGivesEqualIndependentSpecs() {
        NetworkBuilder b = Network.builder().input(4).dense(3, RELU).output(2, SOFTMAX_CE);
        NetworkSpec first = b.build(), second = b.build();
        assertEquals(first, second);
        assertNotSame(first.layers(), second.layers());
    }

    /** The trainer, configured from the built spec's hidden layers, trains exactly that network. */
    @Test
    void theTrainerTrainsTheBuiltNetwork() {
        Dataset train = SyntheticData.blobs(60, 7, 3, 0.1, 3);
        NetworkSpec spec = Network.builder().input(train.featureCount()).dense(9, TANH).dense(5, RELU)
                .output(train.numClasses(), SOFTMAX_CE).build();
        TrainConfig config = TrainConfig.builder().batch(20).epochs(1).init(Init.AUTO).build();
        try (CpuBackend backend = new CpuBackend(); Trainer trainer = new Trainer(backend, spec, config, train, null)) {
            assertEquals(spec, trainer.spec());
            assertTrue(Double.isFinite(trainer.trainEpoch().trainLoss()));
        }
    }

    @Test
    void theReferenceCnnIsWhatItsLayerListBuilds() {
        NetworkSpec cnn = Network.builder().input(1, 28, 28)
                .conv(32, 3, 1, 1, RELU).maxPool(2)
                .conv(64, 3, 1, 1, RELU).maxPool(2)
                .flatten().dense(128, RELU).output(10, SOFTMAX_CE)
                .build();
        // Each image layer reads the shape the one before it writes: 28×28, pooled to 14×14, pooled to 7×7.
        assertEquals(new NetworkSpec(784, List.of(
                new Conv2dSpec(new WindowGeometry(1, 28, 28, 3, 1, 1), 32, RELU),
                new MaxPoolSpec(new WindowGeometry(32, 28, 28, 2, 2, 0)),
                new Conv2dSpec(new WindowGeometry(32, 14, 14, 3, 1, 1), 64, RELU),
                new MaxPoolSpec(new WindowGeometry(64, 14, 14, 2, 2, 0)),
                new DenseSpec(128, RELU), new DenseSpec(10, IDENTITY)), SOFTMAX_CE), cnn);
        assertEquals(LayerList.parse("conv:32:3:pad1,relu,maxpool:2,conv:64:3:pad1,relu,maxpool:2,flatten,dense:128,"
                + "relu,dense:10").toSpec(784, Optional.of(new ImageShape(1, 28, 28)), 10, SOFTMAX_CE), cnn);
        assertEquals(421_642, cnn.parameterCount());
        assertEquals(new ImageShape(64, 7, 7), ((MaxPoolSpec) cnn.layers().get(3)).output());
    }

    @Test
    void aMaxPoolsStrideIsItsWindowUnlessGiven() {
        NetworkBuilder image = Network.builder().input(3, 8, 6);
        assertEquals(Network.builder().input(3, 8, 6).maxPool(2, 2, 0).flatten().output(2, MSE).build(),
                image.maxPool(2).flatten().output(2, MSE).build());
        // (8 + 2·1 − 3)/2 + 1 = 4 down, (6 + 2 − 3)/2 + 1 = 3 across (the remainder dropped).
        MaxPoolSpec p = (MaxPoolSpec) Network.builder().input(3, 8, 6).maxPool(3, 2, 1).flatten().output(2, MSE)
                .build().layers().get(0);
        assertEquals(new ImageShape(3, 4, 3), p.output());
    }

    @Test
    void denseLayersReadAnImageInputAsItIs() {
        NetworkSpec mlp = NetworkSpec.mlp(784, new int[]{64}, RELU, 10, SOFTMAX_CE);
        assertEquals(mlp, Network.builder().input(1, 28, 28).dense(64, RELU).output(10, SOFTMAX_CE).build());
        assertEquals(mlp, Network.builder().input(1, 28, 28).flatten().dense(64, RELU).output(10, SOFTMAX_CE).build());
        assertEquals(mlp, Network.builder().input(new ImageShape(1, 28, 28)).dense(64, RELU).output(10, SOFTMAX_CE).build());
    }

    @Test
    void aCnnDescribesItselfInTheLayerNotation() {
        // 2×7×6 through a 3×3 window moving by 2: 3×2; a 2×2 pool moving by 1: 2×1; 3·2·1 = 6 values flat.
        NetworkSpec cnn = Network.builder().input(2, 7, 6).conv(3, 3, 2, 0, TANH).maxPool(2, 1, 0).flatten()
                .dense(5, IDENTITY).output(4, MSE).build();
        assertEquals("2×7×6 conv:3:3:stride2,tanh,maxpool:2:stride1,flatten,dense:5,dense:4,sigmoid mse", cnn.describe());
        NetworkSpec pooled = Network.builder().input(1, 4, 4).maxPool(2).conv(2, 1, 1, 0, IDENTITY).flatten()
                .output(3, SOFTMAX_CE).build();
        assertEquals("1×4×4 maxpool:2,conv:2:1,flatten,dense:3 softmax-ce", pooled.describe());
        assertEquals("5-8-3 tanh/sigmoid mse", Network.builder().input(5).dense(8, TANH).output(3, MSE).build().describe(),
                "an MLP as before");
    }

    static Stream<Arguments> mistakes() {
        return Stream.of(
                Arguments.of("no input", (Executable) () -> Network.builder().dense(4, RELU).output(2, MSE).build(),
                        "build(): no input width"),
                Arguments.of("no layers", (Executable) () -> Network.builder().input(4).build(), "build(): no layers"),
                Arguments.of("no layers, a loss", (Executable) () -> Network.builder().input(4).loss(MSE).build(),
                        "build(): no layers"),
                Arguments.of("no loss", (Executable) () -> Network.builder().input(4).dense(2, IDENTITY).build(),
                        "build(): no loss"),
                Arguments.of("input twice", (Executable) () -> Network.builder().input(4).input(5),
                        "input(5): the input width is already 4"),
                Arguments.of("input 0", (Executable) () -> Network.builder().input(0), "input(0): the input width must be positive"),
                Arguments.of("input -1", (Executable) () -> Network.builder().input(-1), "input(-1)"),
                Arguments.of("dense 0", (Executable) () -> Network.builder().input(4).dense(0, RELU),
                        "dense(0, RELU): the layer width must be positive"),
                Arguments.of("dense -3", (Executable) () -> Network.builder().input(4).dense(-3, RELU), "dense(-3, RELU)"),
                Arguments.of("output 0", (Executable) () -> Network.builder().input(4).output(0, MSE),
                        "output(0, MSE): the layer width must be positive"),
                Arguments.of("null activation", (Executable) () -> Network.builder().input(4).dense(3, null),
                        "dense(3, null): the activation must not be null"),
                Arguments.of("null loss", (Executable) () -> Network.builder().input(4).output(3, null),
                        "output(3, null): the loss must not be null"),
                Arguments.of("null loss()", (Executable) () -> Network.builder().input(4).dense(3, RELU).loss(null),
                        "loss(null)"),
                Arguments.of("dense after output", (Executable) () -> Network.builder().input(4).output(3, MSE).dense(2, RELU),
                        "after output(…): the output layer must be the last"),
                Arguments.of("output twice", (Executable) () -> Network.builder().input(4).output(3, MSE).output(2, MSE),
                        "the loss is already MSE (set by output(…))"),
                Arguments.of("loss after output", (Executable) () -> Network.builder().input(4).output(3, MSE).loss(MSE),
                        "loss(MSE): the loss is already MSE"),
                Arguments.of("loss twice", (Executable) () -> Network.builder().input(4).dense(3, RELU).loss(MSE).loss(SOFTMAX_CE),
                        "loss(SOFTMAX_CE): the loss is already MSE"),
                Arguments.of("conv before input", (Executable) () -> Network.builder().conv(8, 3, 1, 0, RELU),
                        "conv(8, 3, 1, 0, RELU): no input yet; start with input(channels, height, width)"),
                Arguments.of("maxPool before input", (Executable) () -> Network.builder().maxPool(2),
                        "maxPool(2, 2, 0): no input yet; start with input(channels, height, width)"),
                Arguments.of("flatten before input", (Executable) () -> Network.builder().flatten(),
                        "flatten(): no input yet; start with input(channels, height, width)"),
                Arguments.of("conv on a width", (Executable) () -> Network.builder().input(784).conv(8, 3, 1, 0, RELU),
                        "conv(8, 3, 1, 0, RELU): needs images, but the input is a width (784); give input(channels,"
                                + " height, width)"),
                Arguments.of("flatten a width", (Executable) () -> Network.builder().input(784).flatten(),
                        "flatten(): needs images, but the input is a width (784)"),
                Arguments.of("dense after conv", (Executable) () -> Network.builder().input(1, 8, 8).conv(4, 3, 1, 0, RELU)
                        .dense(16, RELU), "dense(16, RELU): after an image layer, call flatten() first"),
                Arguments.of("output after maxPool", (Executable) () -> Network.builder().input(1, 8, 8).maxPool(2)
                        .output(2, MSE), "output(2, MSE): after an image layer, call flatten() first"),
                Arguments.of("flatten twice", (Executable) () -> Network.builder().input(1, 8, 8).conv(4, 3, 1, 0, RELU)
                        .flatten().flatten(), "flatten(): needs images, but the layers before it are already flat (after"
                        + " flatten() or a dense layer)"),
                Arguments.of("flatten twice on the input", (Executable) () -> Network.builder().input(1, 8, 8).flatten()
                        .flatten(), "flatten(): needs images, but the layers before it are already flat"),
                Arguments.of("conv after flatten", (Executable) () -> Network.builder().input(1, 8, 8).flatten()
                        .conv(4, 3, 1, 0, RELU), "conv(4, 3, 1, 0, RELU): needs images, but the layers before it are"
                        + " already flat"),
                Arguments.of("maxPool after dense", (Executable) () -> Network.builder().input(1, 8, 8).dense(4, RELU)
                        .maxPool(2), "maxPool(2, 2, 0): needs images, but the layers before it are already flat"),
                Arguments.of("maxPool padding over half", (Executable) () -> Network.builder().input(1, 8, 8).maxPool(2, 2, 2),
                        "maxPool(2, 2, 2): a max-pool's padding must be at most half its window, got padding 2 for a"
                                + " 2×2 window"),
                Arguments.of("window too large", (Executable) () -> Network.builder().input(1, 4, 4).conv(2, 5, 1, 0, RELU),
                        "conv(2, 5, 1, 0, RELU): a 5×5 window does not fit a 4×4 image padded by 0"),
                Arguments.of("conv channels 0", (Executable) () -> Network.builder().input(1, 4, 4).conv(0, 3, 1, 0, RELU),
                        "conv(0, 3, 1, 0, RELU): a convolution needs 1 to 65536 output channels, got 0"),
                Arguments.of("conv stride 0", (Executable) () -> Network.builder().input(1, 4, 4).conv(2, 3, 0, 0, RELU),
                        "conv(2, 3, 0, 0, RELU): a window needs a kernel and stride of at least 1"),
                Arguments.of("conv null activation", (Executable) () -> Network.builder().input(1, 4, 4).conv(2, 3, 1, 0, null),
                        "conv(2, 3, 1, 0, null): the activation must not be null"),
                Arguments.of("conv after output", (Executable) () -> Network.builder().input(1, 4, 4).output(2, MSE)
                        .conv(2, 3, 1, 0, RELU), "conv(2, 3, 1, 0, RELU) after output(…): the output layer must be the last"),
                Arguments.of("flatten after output", (Executable) () -> Network.builder().input(1, 4, 4).output(2, MSE)
                        .flatten(), "flatten() after output(…): the output layer must be the last"),
                Arguments.of("output after output, images", (Executable) () -> Network.builder().input(1, 4, 4).flatten()
                        .output(2, MSE).output(2, MSE), "output(2, MSE): the loss is already MSE (set by output(…))"),
                Arguments.of("image input twice", (Executable) () -> Network.builder().input(1, 28, 28).input(1, 28, 28),
                        "input(1, 28, 28): the input is already 1×28×28; call input once"),
                Arguments.of("width after image input", (Executable) () -> Network.builder().input(1, 28, 28).input(784),
                        "input(784): the input is already 1×28×28; call input once"),
                Arguments.of("image input 0 channels", (Executable) () -> Network.builder().input(0, 28, 28),
                        "input(0, 28, 28): an image shape needs channels, height and width from 1 to 65536"),
                Arguments.of("ends in an image layer", (Executable) () -> Network.builder().input(1, 8, 8)
                        .conv(4, 3, 1, 0, RELU).loss(MSE).build(),
                        "build(): the last layer must be dense (the output layer), not conv:4:3,relu"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void mistakesAreIllegalArgumentsNamingTheCall(String what, Executable mistake, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, mistake);
        assertTrue(e.getMessage().contains(message), "expected «" + message + "» in «" + e.getMessage() + "»");
    }

    @Test
    void aRefusedImageLayerLeavesTheBuilderAsItWas() {
        NetworkBuilder b = Network.builder().input(1, 4, 4);
        assertThrows(IllegalArgumentException.class, () -> b.conv(2, 5, 1, 0, RELU));
        assertThrows(IllegalArgumentException.class, () -> b.maxPool(2, 2, 2));
        assertEquals(List.of(new Conv2dSpec(new WindowGeometry(1, 4, 4, 3, 1, 0), 2, RELU), new DenseSpec(3, IDENTITY)),
                b.conv(2, 3, 1, 0, RELU).flatten().output(3, SOFTMAX_CE).build().layers());
        // 65536 + 2·1 − 2 + 1 = 65537 rows out: a valid window, but no image shape; refused before it is added.
        NetworkBuilder tall = Network.builder().input(1, 65536, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> tall.maxPool(2, 1, 1));
        assertTrue(e.getMessage().startsWith("maxPool(2, 1, 1): an image shape needs"), e.getMessage());
        assertEquals(List.of(new DenseSpec(2, SIGMOID)), tall.flatten().output(2, MSE).build().layers());
    }

    @Test
    void aFailedCallLeavesTheBuilderAsItWas() {
        NetworkBuilder b = Network.builder().input(4).dense(3, RELU).loss(SOFTMAX_CE);
        assertThrows(IllegalArgumentException.class, () -> b.output(2, MSE));
        assertEquals(1, b.build().layers().size(), "the refused output layer was not added");
    }
}
