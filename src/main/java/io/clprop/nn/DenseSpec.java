package io.clprop.nn;

import io.clprop.backend.Activation;
import io.clprop.backend.Backend;
import io.clprop.backend.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A fully connected layer of {@code units} outputs followed by {@code activation}: weights W (units × in)
 * row-major like PyTorch's Linear, then its bias b (units), (in + 1)·units parameters.
 */
public record DenseSpec(int units, Activation activation) implements LayerSpec {

    public DenseSpec {
        if (units <= 0) {
            throw new IllegalArgumentException("layer width must be positive, got " + units);
        }
    }

    @Override
    public long parameterCount(int inputs) {
        return (inputs + 1L) * units; // (in + 1)·out < 2^31 · 2^31: exact in a long
    }

    @Override
    public long weightCount(int inputs) {
        return (long) inputs * units;
    }

    @Override
    public int fanIn(int inputs) {
        return inputs;
    }

    @Override
    public int fanOut(int inputs) {
        return units;
    }

    /** Its output A and dLoss/dZ, and with dropout the dropped output Ã (see {@link LayerOutput}). */
    @Override
    public List<LayerBuffer> buffers(int inputs, int maxRows, int dropoutRows) {
        List<LayerBuffer> b = new ArrayList<>(List.of(new LayerBuffer("outputs", maxRows, units),
                new LayerBuffer("gradients", maxRows, units)));
        if (dropoutRows > 0) {
            b.add(new LayerBuffer("dropped outputs", dropoutRows, units));
        }
        return b;
    }

    @Override
    public Layer create(Backend backend, int index, int inputs, Tensor params, Tensor grads, int offset,
                        List<Tensor> buffers, Tensor workspace) {
        int bias = offset + inputs * units; // within the parameter count, which the network holds in an int
        LayerOutput output = new LayerOutput(backend, index, activation, buffers.get(0), buffers.get(1),
                buffers.size() > 2 ? buffers.get(2) : null);
        return new DenseLayer(backend, output, params.view(offset, units, inputs), params.view(bias, 1, units),
                grads.view(offset, units, inputs), grads.view(bias, 1, units));
    }

    @Override
    public String describe() {
        return "dense:" + units + (activation == Activation.IDENTITY ? "" : "," + activation.specName());
    }
}
