package io.clprop.nn;

import io.clprop.backend.Activation;

import io.clprop.SyntheticData;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.data.Dataset;
import io.clprop.train.TrainConfig;
import io.clprop.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
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
                        "loss(SOFTMAX_CE): the loss is already MSE"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void mistakesAreIllegalArgumentsNamingTheCall(String what, Executable mistake, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, mistake);
        assertTrue(e.getMessage().contains(message), "expected «" + message + "» in «" + e.getMessage() + "»");
    }

    @Test
    void aFailedCallLeavesTheBuilderAsItWas() {
        NetworkBuilder b = Network.builder().input(4).dense(3, RELU).loss(SOFTMAX_CE);
        assertThrows(IllegalArgumentException.class, () -> b.output(2, MSE));
        assertEquals(1, b.build().layers().size(), "the refused output layer was not added");
    }
}
