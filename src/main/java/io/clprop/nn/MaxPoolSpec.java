package io.clprop.nn;

import io.clprop.backend.Activation;
import io.clprop.backend.Backend;
import io.clprop.backend.Tensor;
import io.clprop.backend.WindowGeometry;
import io.clprop.util.ImageShape;

import java.util.ArrayList;
import java.util.List;

/**
 * A max-pool over images of {@link #geometry}'s shape, each channel on its own (PyTorch's MaxPool2d): no
 * parameters, no activation; it keeps where each maximum was for its backward pass. Ties go to the first
 * maximum of a window, row-major, on every backend ({@link Backend#maxPoolForward}).
 */
public record MaxPoolSpec(WindowGeometry geometry) implements LayerSpec {

    public MaxPoolSpec {
        geometry.checkPooling();
    }

    /** The image it reads. */
    public ImageShape input() {
        return geometry.image();
    }

    /** The image it writes: C × OH × OW. */
    public ImageShape output() {
        return new ImageShape(geometry.channels(), geometry.outHeight(), geometry.outWidth());
    }

    @Override
    public int units() {
        return geometry.pooledSize();
    }

    @Override
    public Activation activation() {
        return Activation.IDENTITY;
    }

    @Override
    public long parameterCount(int inputs) {
        return 0;
    }

    @Override
    public long weightCount(int inputs) {
        return 0;
    }

    @Override
    public int fanIn(int inputs) {
        return 0;
    }

    @Override
    public int fanOut(int inputs) {
        return 0;
    }

    @Override
    public void checkInputs(int inputs) {
        geometry.checkImageRows(describe(), inputs);
    }

    /** Its output and dLoss/dOutput, with dropout the dropped output, and the indices of the maxima (int). */
    @Override
    public List<LayerBuffer> buffers(int inputs, int maxRows, int dropoutRows) {
        List<LayerBuffer> b = new ArrayList<>(List.of(new LayerBuffer("outputs", maxRows, units()),
                new LayerBuffer("gradients", maxRows, units()),
                new LayerBuffer("indices", maxRows, units(), Tensor.DType.INT32)));
        if (dropoutRows > 0) {
            b.add(new LayerBuffer("dropped outputs", dropoutRows, units()));
        }
        return b;
    }

    @Override
    public Layer create(Backend backend, int index, int inputs, Tensor params, Tensor grads, int offset,
                        List<Tensor> buffers, Tensor workspace) {
        LayerOutput output = new LayerOutput(backend, index, Activation.IDENTITY, buffers.get(0), buffers.get(1),
                buffers.size() > 3 ? buffers.get(3) : null);
        return new MaxPoolLayer(backend, geometry, output, buffers.get(2));
    }

    @Override
    public String describe() {
        return "maxpool:" + geometry.kernel()
                + (geometry.stride() == geometry.kernel() ? "" : ":stride" + geometry.stride())
                + (geometry.padding() == 0 ? "" : ":pad" + geometry.padding());
    }
}
