package io.clprop.verify;

import io.clprop.backend.Activation;
import io.clprop.nn.LossKind;
import io.clprop.nn.NetworkSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ParameterTensorTest {
    @Test
    void tensorsTileTheBufferInLayerOrder() {
        NetworkSpec spec = NetworkSpec.mlp(3, new int[]{4}, Activation.RELU, 2, LossKind.MSE);
        List<ParameterTensor> t = ParameterTensor.of(spec);
        assertEquals(List.of(new ParameterTensor("W1", 0, 12), new ParameterTensor("b1", 12, 16),
                new ParameterTensor("W2", 16, 24), new ParameterTensor("b2", 24, 26)), t);
        assertEquals(spec.parameterCount(), t.get(t.size() - 1).to());
        assertEquals(8, t.get(2).size());
    }
}
