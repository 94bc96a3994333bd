package io.clprop.nn;

import io.clprop.nn.LayerList.Conv;
import io.clprop.nn.LayerList.Dense;
import io.clprop.nn.LayerList.Flatten;
import io.clprop.nn.LayerList.MaxPool;
import io.clprop.util.ImageShape;
import io.clprop.util.InvalidSetting;
import io.clprop.util.Wording;
import org.junit.jupiter.api.Test;
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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The setting layers: what each item reads as, its canonical text, the network it builds, and every refusal. */
class LayerListTest {
    private static final String REFERENCE =
            "conv:32:3:pad1,relu,maxpool:2,conv:64:3:pad1,relu,maxpool:2,flatten,dense:128,relu,dense:10";
    private static final Optional<ImageShape> MNIST = Optional.of(new ImageShape(1, 28, 28));

    private static List<LayerList.Item> items(String text) {
        return LayerList.parse(text).items();
    }

    @Test
    void eachFormReadsAsItsItemWithItsDefaults() {
        assertEquals(List.of(new Conv(1, "conv:32:3", 32, 3, 1, 0, null)), items("conv:32:3,dense:1").subList(0, 1));
        assertEquals(new MaxPool(1, "maxpool:2", 2, 2, 0), items("maxpool:2,dense:1").get(0), "stride = window");
        assertEquals(new MaxPool(1, "maxpool:3:stride1", 3, 1, 0), items("maxpool:3:stride1,dense:1").get(0));
        assertEquals(new MaxPool(1, "maxpool:3:pad1", 3, 3, 1), items("maxpool:3:pad1,dense:1").get(0));
        assertEquals(new Flatten(1, "flatten"), items("flatten,dense:1").get(0));
        assertEquals(List.of(new Dense(1, "dense:10", 10, null)), items("dense:10"));
    }

    @Test
    void optionsComeInEitherOrder() {
        Conv expected = new Conv(1, "conv:8:5:stride2:pad2", 8, 5, 2, 2, null);
        assertEquals(expected, items("conv:8:5:stride2:pad2,dense:1").get(0));
        assertEquals(new Conv(1, "conv:8:5:pad2:stride2", 8, 5, 2, 2, null), items("conv:8:5:pad2:stride2,dense:1").get(0));
        assertEquals(new MaxPool(1, "maxpool:3:pad1:stride2", 3, 2, 1), items("maxpool:3:pad1:stride2,dense:1").get(0));
    }

    @Test
    void anActivationBelongsToTheLayerBeforeIt() {
        // Positions count every item written, the activations too: the max-pool is the third.
        assertEquals(List.of(new Conv(1, "conv:4:3", 4, 3, 1, 0, TANH), new MaxPool(3, "maxpool:2", 2, 2, 0),
                        new Flatten(4, "flatten"), new Dense(5, "dense:6", 6, RELU), new Dense(7, "dense:2", 2, SIGMOID)),
                items("conv:4:3,tanh,maxpool:2,flatten,dense:6,relu,dense:2,sigmoid"));
    }

    @Test
    void spacesAroundItemsAndCaseDoNotMatter() {
        // The text is kept as written (trimmed), for messages.
        assertEquals(List.of(new Conv(1, "CONV:8:3:PAD1", 8, 3, 1, 1, RELU), new Flatten(3, "Flatten"),
                        new Dense(4, "Dense:2", 2, null)),
                items("  CONV:8:3:PAD1 , ReLU,\tFlatten ,Dense:2 "));
        assertEquals("conv:8:3:pad1,relu,flatten,dense:2", LayerList.parse(" CONV:8:3:PAD1 , ReLU,Flatten ,Dense:2").describe());
    }

    @Test
    void describeIsCanonicalAndReadsBackToAnEqualList() {
        String written = "conv:32:3:stride1:pad0,relu,maxpool:2:stride2:pad0,conv:8:5:pad2:stride2,identity,"
                + "maxpool:3:stride1,flatten,dense:16,tanh,dense:4,identity,dense:10";
        LayerList list = LayerList.parse(written);
        String canonical = "conv:32:3,relu,maxpool:2,conv:8:5:stride2:pad2,maxpool:3:stride1,flatten,dense:16,tanh,"
                + "dense:4,dense:10";
        assertEquals(canonical, list.describe(), "defaults and a hidden layer's identity left out");
        assertEquals(canonical, list.toString());
        assertEquals(list, LayerList.parse(canonical));
        assertEquals(list.hashCode(), LayerList.parse(canonical).hashCode());
        assertEquals(canonical, LayerList.parse(canonical).describe());
        assertFalse(list.equals(LayerList.parse("conv:32:3,relu,maxpool:2,flatten,dense:10")));
    }

    @Test
    void theOutputLayersActivationIsKeptAsWritten() {
        // None there means the loss's, so an identity written after the output layer is not the same list.
        assertEquals("dense:4,dense:2,identity", LayerList.parse("dense:4,identity,dense:2,identity").describe());
        assertFalse(LayerList.parse("dense:2,identity").equals(LayerList.parse("dense:2")));
    }

    static Stream<Arguments> mistakes() {
        String at = "layers item ";
        return Stream.of(
                Arguments.of("", "layers is empty; give the layers from the input to the output, e.g. dense:64,relu,dense:10"),
                Arguments.of("  ", "layers is empty; give the layers from the input to the output, e.g. dense:64,relu,dense:10"),
                Arguments.of("dense:4,,dense:2", at + "2 \"\" is empty (two commas in a row, or one at an end)"),
                Arguments.of("dense:2,", at + "2 \"\" is empty (two commas in a row, or one at an end)"),
                Arguments.of(",dense:2", at + "1 \"\" is empty (two commas in a row, or one at an end)"),
                Arguments.of("dense:4, ,dense:2", at + "2 \"\" is empty (two commas in a row, or one at an end)"),
                Arguments.of("dense:4,convolution:3,dense:2", at + "2 \"convolution:3\" is not a layer (conv, maxpool,"
                        + " flatten, dense) nor an activation (relu, sigmoid, tanh, leaky-relu, elu, softplus or identity)"),
                Arguments.of("gelu,dense:2", at + "1 \"gelu\" is not a layer (conv, maxpool, flatten, dense) nor an"
                        + " activation (relu, sigmoid, tanh, leaky-relu, elu, softplus or identity)"),
                Arguments.of("conv:32,flatten,dense:2",
                        at + "1 \"conv:32\" wants conv:C:K[:strideS][:padP], C its channels and K its kernel"),
                Arguments.of("conv,flatten,dense:2",
                        at + "1 \"conv\" wants conv:C:K[:strideS][:padP], C its channels and K its kernel"),
                Arguments.of("maxpool,dense:2", at + "1 \"maxpool\" wants maxpool:K[:strideS][:padP], K its window"),
                Arguments.of("dense", at + "1 \"dense\" wants dense:N, N its units"),
                Arguments.of("dense:4:2", at + "1 \"dense:4:2\" wants dense:N, N its units"),
                Arguments.of("flatten:2,dense:2", at + "1 \"flatten:2\": flatten takes no arguments"),
                Arguments.of("dense:4,relu:2,dense:2", at + "2 \"relu:2\": relu takes no arguments"),
                Arguments.of("dense:", at + "1 \"dense:\": gives no units"),
                Arguments.of("conv::3,flatten,dense:2", at + "1 \"conv::3\": gives no channels"),
                Arguments.of("conv:x:3,flatten,dense:2", at + "1 \"conv:x:3\": its channels \"x\" is not a whole number"),
                Arguments.of("conv:8:3.5,flatten,dense:2", at + "1 \"conv:8:3.5\": its kernel \"3.5\" is not a whole number"),
                Arguments.of("dense:1e3", at + "1 \"dense:1e3\": its units \"1e3\" is not a whole number"),
                Arguments.of("dense:+3", at + "1 \"dense:+3\": its units \"+3\" is not a whole number"),
                Arguments.of("dense:-", at + "1 \"dense:-\": its units \"-\" is not a whole number"),
                // Other scripts' digits are digits to Character.isDigit and Long.parseLong, not here.
                Arguments.of("dense:\u0663", at + "1 \"dense:\u0663\": its units \"\u0663\" is not a whole number"),
                Arguments.of("dense:0", at + "1 \"dense:0\": its units must be from 1 to 2147483647, got 0"),
                Arguments.of("dense:-4", at + "1 \"dense:-4\": its units must be from 1 to 2147483647, got -4"),
                Arguments.of("dense:2147483648", at + "1 \"dense:2147483648\": its units must be from 1 to 2147483647,"
                        + " got 2147483648"),
                Arguments.of("dense:99999999999999999999", at + "1 \"dense:99999999999999999999\": its units must be"
                        + " from 1 to 2147483647, got 99999999999999999999"),
                Arguments.of("conv:65537:3,flatten,dense:2", at + "1 \"conv:65537:3\": its channels must be from 1 to 65536,"
                        + " got 65537"),
                Arguments.of("conv:8:0,flatten,dense:2", at + "1 \"conv:8:0\": its kernel must be from 1 to 65536, got 0"),
                Arguments.of("conv:8:3:stride0,flatten,dense:2", at + "1 \"conv:8:3:stride0\": its stride must be from 1"
                        + " to 65536, got 0"),
                Arguments.of("maxpool:2:pad-1,dense:2", at + "1 \"maxpool:2:pad-1\": its padding must be from 0 to 65536,"
                        + " got -1"),
                Arguments.of("maxpool:0,dense:2", at + "1 \"maxpool:0\": its window must be from 1 to 65536, got 0"),
                Arguments.of("conv:8:3:stride,flatten,dense:2", at + "1 \"conv:8:3:stride\": gives no stride"),
                Arguments.of("conv:8:3:pad1:pad2,flatten,dense:2", at + "1 \"conv:8:3:pad1:pad2\": gives the padding twice"),
                Arguments.of("maxpool:2:stride1:pad1:stride2,dense:2",
                        at + "1 \"maxpool:2:stride1:pad1:stride2\": gives the stride twice"),
                Arguments.of("conv:8:3:1,flatten,dense:2", at + "1 \"conv:8:3:1\": \"1\" is not an option (strideS or"
                        + " padP, e.g. stride2 or pad1)"),
                Arguments.of("conv:8:3:padding1,flatten,dense:2", at + "1 \"conv:8:3:padding1\": \"padding1\" is not an"
                        + " option (strideS or padP, e.g. stride2 or pad1)"),
                Arguments.of("maxpool:2:dilation2,dense:2", at + "1 \"maxpool:2:dilation2\": \"dilation2\" is not an"
                        + " option (strideS or padP, e.g. stride2 or pad1)"),
                Arguments.of("relu,dense:2", at + "1 \"relu\" is an activation, which must follow a conv or dense layer,"
                        + " not start the list"),
                Arguments.of("maxpool:2,relu,dense:2", at + "2 \"relu\" is an activation, which must follow a conv or"
                        + " dense layer, not \"maxpool:2\""),
                Arguments.of("conv:4:3,flatten,tanh,dense:2", at + "3 \"tanh\" is an activation, which must follow a"
                        + " conv or dense layer, not \"flatten\""),
                Arguments.of("dense:4,relu,tanh,dense:2", at + "3 \"tanh\" is a second activation for \"dense:4\", which"
                        + " has relu already"),
                Arguments.of("conv:4:3,identity,relu,flatten,dense:2", at + "3 \"relu\" is a second activation for"
                        + " \"conv:4:3\", which has identity already"),
                Arguments.of("conv:4:3,relu", at + "1 \"conv:4:3\" is last, but the output layer must be a dense layer as"
                        + " wide as the data has classes (e.g. …,flatten,dense:10)"),
                Arguments.of("conv:4:3,flatten", at + "2 \"flatten\" is last, but the output layer must be a dense layer"
                        + " as wide as the data has classes (e.g. …,flatten,dense:10)"),
                Arguments.of("dense:4,maxpool:2", at + "2 \"maxpool:2\" is last, but the output layer must be a dense"
                        + " layer as wide as the data has classes (e.g. …,flatten,dense:10)"));
    }

    @ParameterizedTest(name = "[{index}] «{0}»")
    @MethodSource("mistakes")
    void everyMistakeNamesTheItemAndWhatIsWrong(String text, String message) {
        InvalidSetting e = assertThrows(InvalidSetting.class, () -> LayerList.parse(text));
        assertEquals(message, e.getMessage());
    }

    @Test
    void theCommandLineShowsItsOptionName() {
        InvalidSetting e = assertThrows(InvalidSetting.class, () -> LayerList.parse("dense:4,,dense:2"));
        assertEquals("--layers item 2 \"\" is empty (two commas in a row, or one at an end)",
                Wording.render(e.text(), name -> name.equals("layers") ? "--layers" : null));
    }

    @Test
    void anItemIsQuotedOnOneLineAndCut() {
        InvalidSetting e = assertThrows(InvalidSetting.class, () -> LayerList.parse("dense:4,dense:1\n0"));
        assertEquals("layers item 2 \"dense:1\\n0\": its units \"1\\n0\" is not a whole number", e.getMessage());
        String name = "x".repeat(50);
        e = assertThrows(InvalidSetting.class, () -> LayerList.parse(name + ",dense:2"));
        assertEquals("layers item 1 \"" + "x".repeat(40) + "…\" is not a layer (conv, maxpool, flatten, dense) nor"
                + " an activation (relu, sigmoid, tanh, leaky-relu, elu, softplus or identity)", e.getMessage());
    }

    @Test
    void tooLongOrTooManyItemsIsRefusedBeforeReading() {
        String thousand = String.join(",", java.util.Collections.nCopies(1000, "dense:1"));
        assertEquals(1000, LayerList.parse(thousand).items().size());
        InvalidSetting many = assertThrows(InvalidSetting.class, () -> LayerList.parse(thousand + ",dense:1"));
        assertEquals("layers has 1001 items; at most 1000", many.getMessage());
        String longest = "dense:" + "0".repeat(LayerList.MAX_LENGTH - 7) + "1"; // 10,000 characters: read
        assertEquals(List.of(new Dense(1, longest, 1, null)), items(longest));
        InvalidSetting longer = assertThrows(InvalidSetting.class, () -> LayerList.parse(longest + " "));
        assertEquals("layers is 10001 characters long; at most 10000 are read", longer.getMessage());
    }

    // ---- against the data ------------------------------------------------------------------------------

    @Test
    void theReferenceCnnOnMnist() {
        NetworkSpec spec = LayerList.parse(REFERENCE).toSpec(784, MNIST, 10, SOFTMAX_CE);
        assertEquals(32 * (9 + 1) + 64 * (288 + 1) + 128 * (3136 + 1) + 10 * (128 + 1), spec.parameterCount());
        assertEquals(421_642, spec.parameterCount());
        assertEquals(784, spec.inputs());
        // 32×28×28, pooled to 32×14×14, 64×14×14, pooled to 64×7×7 = 3136, then 128 and 10.
        assertEquals(List.of(25_088, 6_272, 12_544, 3_136, 128, 10),
                spec.layers().stream().map(LayerSpec::units).toList());
        assertEquals(List.of(RELU, IDENTITY, RELU, IDENTITY, RELU, IDENTITY),
                spec.layers().stream().map(LayerSpec::activation).toList());
        assertEquals(Network.builder().input(1, 28, 28).conv(32, 3, 1, 1, RELU).maxPool(2).conv(64, 3, 1, 1, RELU)
                .maxPool(2).flatten().dense(128, RELU).output(10, SOFTMAX_CE).build(), spec);
        assertEquals("1×28×28 " + REFERENCE + " softmax-ce", spec.describe());
    }

    @Test
    void anMlpDescriptionBuildsWhatMlpBuilds() {
        NetworkSpec mlp = NetworkSpec.mlp(784, new int[]{64}, RELU, 10, SOFTMAX_CE);
        assertEquals(mlp, LayerList.parse("dense:64,relu,dense:10").toSpec(784, Optional.empty(), 10, SOFTMAX_CE));
        // Image data read by dense layers: the images' values as they are, flattened or not.
        assertEquals(mlp, LayerList.parse("dense:64,relu,dense:10").toSpec(784, MNIST, 10, SOFTMAX_CE));
        assertEquals(mlp, LayerList.parse("flatten,dense:64,relu,dense:10").toSpec(784, MNIST, 10, SOFTMAX_CE));
        assertEquals(NetworkSpec.mlp(5, new int[]{8}, TANH, 3, MSE),
                LayerList.parse("dense:8,tanh,dense:3,sigmoid").toSpec(5, Optional.empty(), 3, MSE),
                "the loss's own activation may be written");
    }

    @Test
    void ofGivesBackTheListThatBuildsAnEqualSpec() {
        NetworkSpec spec = LayerList.parse(REFERENCE).toSpec(784, MNIST, 10, SOFTMAX_CE);
        LayerList of = LayerList.of(spec);
        assertEquals(LayerList.parse(REFERENCE).items(), of.items(), "positions and text as parse gives them");
        assertEquals(REFERENCE, of.describe());
        assertEquals(spec, of.toSpec(784, MNIST, 10, SOFTMAX_CE));

        NetworkSpec mse = LayerList.parse("conv:3:3:stride2,identity,maxpool:2:stride1:pad1,flatten,dense:4")
                .toSpec(84, Optional.of(new ImageShape(2, 7, 6)), 4, MSE);
        assertEquals("conv:3:3:stride2,maxpool:2:stride1:pad1,flatten,dense:4", LayerList.of(mse).describe(),
                "the output's sigmoid is the loss's: not written");
        assertEquals(mse, LayerList.of(mse).toSpec(84, Optional.of(new ImageShape(2, 7, 6)), 4, MSE));

        NetworkSpec mlp = NetworkSpec.mlp(6, new int[]{5, 4}, new io.clprop.backend.Activation[]{IDENTITY, TANH}, 2, MSE);
        assertEquals(List.of(new Dense(1, "dense:5", 5, null), new Dense(2, "dense:4", 4, TANH),
                new Dense(4, "dense:2", 2, null)), LayerList.of(mlp).items());
        assertEquals(mlp, LayerList.of(mlp).toSpec(6, Optional.empty(), 2, MSE));
    }

    static Stream<Arguments> misfits() {
        String at = "layers item ";
        Optional<ImageShape> small = Optional.of(new ImageShape(1, 4, 4));
        return Stream.of(
                Arguments.of("conv:8:3,relu,flatten,dense:10", Optional.empty(), 784, 10, SOFTMAX_CE,
                        at + "1 \"conv:8:3\" needs images, but the data has no image shape (IDX images have one; for"
                                + " CSV data give inputShape)"),
                Arguments.of("maxpool:2,flatten,dense:10", Optional.empty(), 784, 10, SOFTMAX_CE,
                        at + "1 \"maxpool:2\" needs images, but the data has no image shape (IDX images have one; for"
                                + " CSV data give inputShape)"),
                Arguments.of("conv:8:3,flatten,dense:10", MNIST, 100, 10, SOFTMAX_CE,
                        "inputShape 1×28×28 has 784 values, but the data has 100 per sample"),
                Arguments.of(REFERENCE.replace("dense:10", "dense:9"), MNIST, 784, 10, SOFTMAX_CE,
                        at + "10 \"dense:9\" is the output layer, with 9 units, but the data has 10 classes"),
                Arguments.of("dense:8,dense:3", Optional.empty(), 5, 2, MSE,
                        at + "2 \"dense:3\" is the output layer, with 3 units, but the data has 2 targets"),
                Arguments.of("dense:8,relu,dense:10,relu", Optional.empty(), 784, 10, SOFTMAX_CE,
                        at + "3 \"dense:10\" is the output layer, whose activation the loss sets (identity before"
                                + " softmax-ce); remove the relu after it"),
                Arguments.of("dense:8,relu,dense:10,identity", Optional.empty(), 784, 10, MSE,
                        at + "3 \"dense:10\" is the output layer, whose activation the loss sets (sigmoid before"
                                + " mse); remove the identity after it"),
                Arguments.of("conv:8:3,relu,dense:10", MNIST, 784, 10, SOFTMAX_CE,
                        at + "3 \"dense:10\": after an image layer, write flatten before it"),
                Arguments.of("conv:8:3,relu,maxpool:2,dense:16,relu,flatten,dense:10", MNIST, 784, 10, SOFTMAX_CE,
                        at + "4 \"dense:16\": after an image layer, write flatten before it"),
                Arguments.of("conv:8:3,flatten,conv:8:3,flatten,dense:10", MNIST, 784, 10, SOFTMAX_CE,
                        at + "3 \"conv:8:3\": needs images, but the layers before it are already flat (after flatten"
                                + " or a dense layer)"),
                Arguments.of("dense:64,relu,maxpool:2,flatten,dense:10", MNIST, 784, 10, SOFTMAX_CE,
                        at + "3 \"maxpool:2\": needs images, but the layers before it are already flat (after flatten"
                                + " or a dense layer)"),
                Arguments.of("flatten,flatten,dense:10", MNIST, 784, 10, SOFTMAX_CE,
                        at + "2 \"flatten\": needs images, but the layers before it are already flat (after flatten"
                                + " or a dense layer)"),
                Arguments.of("conv:8:5,flatten,dense:10", small, 16, 10, SOFTMAX_CE,
                        at + "1 \"conv:8:5\": a 5×5 window does not fit a 4×4 image padded by 0"),
                // 4×4 through a 3×3 window: 2×2, too small for the next 3×3 window.
                Arguments.of("conv:8:3,relu,maxpool:3,flatten,dense:10", small, 16, 10, SOFTMAX_CE,
                        at + "3 \"maxpool:3\": a 3×3 window does not fit a 2×2 image padded by 0"),
                Arguments.of("maxpool:2:pad2,flatten,dense:10", small, 16, 10, SOFTMAX_CE,
                        at + "1 \"maxpool:2:pad2\": a max-pool's padding must be at most half its window, got padding 2"
                                + " for a 2×2 window"),
                // 4 + 2·30000 − 1 + 1 = 60004 windows each way: more than an int, which would have wrapped.
                Arguments.of("conv:1:1:pad30000,flatten,dense:10", small, 16, 10, SOFTMAX_CE,
                        at + "1 \"conv:1:1:pad30000\": a 1×1 window moving by 1 over a 4×4 image padded by 30000 makes"
                                + " 60004×60004 windows, more than a tensor row holds"),
                Arguments.of("dense:2147483647,dense:2147483647,dense:2147483647,dense:10", Optional.empty(), 784, 10,
                        SOFTMAX_CE, "layers: the network 784-2147483647-2147483647-2147483647-10 has more than"
                                + " 2^63 − 1 parameters"));
    }

    @ParameterizedTest(name = "[{index}] «{0}»")
    @MethodSource("misfits")
    void anItemThatDoesNotFitTheDataIsNamed(String text, Optional<ImageShape> shape, int inputs, int outputs,
                                            LossKind loss, String message) {
        LayerList list = LayerList.parse(text);
        InvalidSetting e = assertThrows(InvalidSetting.class, () -> list.toSpec(inputs, shape, outputs, loss));
        assertEquals(message, e.getMessage());
    }
}
