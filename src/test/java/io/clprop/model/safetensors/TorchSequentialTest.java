package io.clprop.model.safetensors;

import io.clprop.backend.Activation;
import io.clprop.nn.LayerList;
import io.clprop.nn.LossKind;
import io.clprop.nn.Network;
import io.clprop.nn.NetworkSpec;
import io.clprop.util.ImageShape;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The PyTorch Sequential of the README's reference networks, module by module, and the state_dict names and
 * shapes that follow from it (every module takes an index; the identity none; no Dropout).
 */
class TorchSequentialTest {
    @Test
    void referenceMlp() {
        NetworkSpec spec = NetworkSpec.mlp(784, new int[]{256, 128}, Activation.RELU, 10, LossKind.SOFTMAX_CE);
        TorchSequential s = TorchSequential.of(spec);
        assertEquals("torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), "
                + "torch.nn.ReLU(), torch.nn.Linear(128, 10))", s.python());
        assertEquals(List.of("0.weight [256, 784]", "0.bias [256]", "2.weight [128, 256]", "2.bias [128]",
                "4.weight [10, 128]", "4.bias [10]"), slots(s));
        assertEquals(List.of(0, 256 * 784, 256 * 785, 256 * 785 + 128 * 256, 256 * 785 + 128 * 257,
                256 * 785 + 128 * 257 + 10 * 128), s.slots().stream().map(TorchSequential.Slot::offset).toList());
    }

    @Test
    void referenceCnn() {
        NetworkSpec spec = LayerList.parse("conv:32:3:pad1,relu,maxpool:2,conv:64:3:pad1,relu,maxpool:2,flatten,"
                + "dense:128,relu,dense:10").toSpec(784, Optional.of(new ImageShape(1, 28, 28)), 10, LossKind.SOFTMAX_CE);
        TorchSequential s = TorchSequential.of(spec);
        assertEquals(List.of("Conv2d(1, 32, 3, padding=1)", "ReLU()", "MaxPool2d(2)", "Conv2d(32, 64, 3, padding=1)",
                "ReLU()", "MaxPool2d(2)", "Flatten()", "Linear(3136, 128)", "ReLU()", "Linear(128, 10)"), s.modules());
        assertEquals(List.of("0.weight [32, 1, 3, 3]", "0.bias [32]", "3.weight [64, 32, 3, 3]", "3.bias [64]",
                "7.weight [128, 3136]", "7.bias [128]", "9.weight [10, 128]", "9.bias [10]"), slots(s));
    }

    @Test
    void linearHiddenLayersTakeNoModuleAndMseEndsInSigmoid() {
        NetworkSpec spec = Network.builder().input(4).dense(3, Activation.IDENTITY).dense(3, Activation.LEAKY_RELU)
                .output(2, LossKind.MSE).build();
        TorchSequential s = TorchSequential.of(spec);
        assertEquals(List.of("Linear(4, 3)", "Linear(3, 3)", "LeakyReLU(0.01)", "Linear(3, 2)", "Sigmoid()"), s.modules());
        assertEquals(List.of("0.weight [3, 4]", "0.bias [3]", "1.weight [3, 3]", "1.bias [3]", "3.weight [2, 3]",
                "3.bias [2]"), slots(s));
    }

    @Test
    void stridesAndPaddingsAreWrittenWhenNotTheDefaults() {
        NetworkSpec spec = Network.builder().input(3, 10, 10).maxPool(3, 1, 1).conv(5, 3, 2, 0, Activation.TANH)
                .flatten().output(2, LossKind.SOFTMAX_CE).build();
        assertEquals(List.of("MaxPool2d(3, stride=1, padding=1)", "Conv2d(3, 5, 3, stride=2)", "Tanh()", "Flatten()",
                "Linear(80, 2)"), TorchSequential.of(spec).modules());
    }

    private static List<String> slots(TorchSequential s) {
        return s.slots().stream().map(x -> x.name() + " " + x.shapeText()).toList();
    }
}
