package io.clprop.nn;

import io.clprop.backend.Activation;
import io.clprop.backend.Backend;
import io.clprop.backend.Tensor;
import io.clprop.backend.WindowGeometry;
import io.clprop.util.ImageShape;
import io.clprop.util.InvalidSetting;

import java.util.ArrayList;
import java.util.List;

/**
 * A 2-d convolution of {@code outChannels} filters over images of {@link #geometry}'s shape (its channels,
 * height, width; its square window, stride and zero padding), with a bias per filter, followed by
 * {@code activation}. Weights W are C_out × C_in·k·k row-major, PyTorch's Conv2d weight (C_out, C_in, k, k)
 * flattened, then the bias b (C_out): C_out·(C_in·k² + 1) parameters. The output is C_out × OH × OW per
 * image, NCHW, like PyTorch's.
 */
public record Conv2dSpec(WindowGeometry geometry, int outChannels, Activation activation) implements LayerSpec {

    public Conv2dSpec {
        if (outChannels < 1 || outChannels > ImageShape.MAX_SIDE) {
            throw new InvalidSetting("a convolution needs 1 to " + ImageShape.MAX_SIDE + " output channels, got "
                    + outChannels);
        }
        if ((long) outChannels * geometry.outputPixels() > Integer.MAX_VALUE
                || (long) outChannels * geometry.patchSize() > Integer.MAX_VALUE) {
            throw new InvalidSetting("a convolution of " + outChannels + " channels over " + geometry
                    + " has more values than a tensor row holds");
        }
    }

    /** The image it reads. */
    public ImageShape input() {
        return geometry.image();
    }

    /** The image it writes: C_out × OH × OW. */
    public ImageShape output() {
        return new ImageShape(outChannels, geometry.outHeight(), geometry.outWidth());
    }

    @Override
    public int units() {
        return outChannels * geometry.outputPixels();
    }

    @Override
    public long parameterCount(int inputs) {
        return (long) outChannels * (geometry.patchSize() + 1);
    }

    @Override
    public long weightCount(int inputs) {
        return (long) outChannels * geometry.patchSize();
    }

    @Override
    public int fanIn(int inputs) {
        return geometry.patchSize();
    }

    @Override
    public int fanOut(int inputs) {
        return outChannels * geometry.kernel() * geometry.kernel();
    }

    @Override
    public void checkInputs(int inputs) {
        geometry.checkImageRows(describe(), inputs);
    }

    /**
     * Its output A (NCHW) and dLoss/dZ, the batch's windows ((B·OH·OW) × C_in·k², kept from the forward pass
     * for dW, then overwritten by their gradient), and with dropout the dropped output Ã (see {@link LayerOutput}).
     */
    @Override
    public List<LayerBuffer> buffers(int inputs, int maxRows, int dropoutRows) {
        List<LayerBuffer> b = new ArrayList<>(List.of(new LayerBuffer("outputs", maxRows, units()),
                new LayerBuffer("gradients", maxRows, units()),
                new LayerBuffer("windows", Math.toIntExact((long) maxRows * geometry.outputPixels()),
                        geometry.patchSize())));
        if (dropoutRows > 0) {
            b.add(new LayerBuffer("dropped outputs", dropoutRows, units()));
        }
        return b;
    }

    /**
     * The product's rows, (B·OH·OW) × C_out: scratch between the product and its transpose, forward and
     * backward (see {@link Conv2dLayer}), which every layer can share.
     */
    @Override
    public long workspace(int inputs, int maxRows) {
        return (long) maxRows * geometry.outputPixels() * outChannels;
    }

    @Override
    public Layer create(Backend backend, int index, int inputs, Tensor params, Tensor grads, int offset,
                        List<Tensor> buffers, Tensor workspace) {
        int patch = geometry.patchSize();
        int bias = offset + outChannels * patch; // within the parameter count, which the network holds in an int
        LayerOutput output = new LayerOutput(backend, index, activation, buffers.get(0), buffers.get(1),
                buffers.size() > 3 ? buffers.get(3) : null);
        return new Conv2dLayer(backend, geometry, output, params.view(offset, outChannels, patch),
                params.view(bias, 1, outChannels), grads.view(offset, outChannels, patch),
                grads.view(bias, 1, outChannels), buffers.get(2), workspace);
    }

    @Override
    public String describe() {
        return "conv:" + outChannels + ":" + geometry.kernel()
                + (geometry.stride() == 1 ? "" : ":stride" + geometry.stride())
                + (geometry.padding() == 0 ? "" : ":pad" + geometry.padding())
                + (activation == Activation.IDENTITY ? "" : "," + activation.specName());
    }
}
