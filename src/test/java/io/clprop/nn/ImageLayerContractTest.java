package io.clprop.nn;

import io.clprop.backend.Tensor;
import io.clprop.backend.WindowGeometry;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.util.ImageShape;
import io.clprop.util.InvalidSetting;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.clprop.backend.Activation.IDENTITY;
import static io.clprop.backend.Activation.RELU;
import static io.clprop.backend.Activation.TANH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The layer contract (see {@link LayerContractTest}) for the image layers: what a convolution and a max-pool
 * declare, and that a network built from them holds exactly that, each conv's parameters its slice.
 */
class ImageLayerContractTest {
    /** 2×7×6 images, 5 filters of 3×3 moving by 2 over them padded by 1: (7 + 2 − 3)/2 + 1 = 4 by (6 + 2 − 3)/2 + 1 = 3. */
    private static final Conv2dSpec CONV = new Conv2dSpec(new WindowGeometry(2, 7, 6, 3, 2, 1), 5, TANH);
    /** Its 5×4×3 output pooled by 2×2 windows moving by 2, padded by 1: (4 + 2 − 2)/2 + 1 = 3 by (3 + 2 − 2)/2 + 1 = 2. */
    private static final MaxPoolSpec POOL = new MaxPoolSpec(new WindowGeometry(5, 4, 3, 2, 2, 1));
    private static final NetworkSpec SPEC = Network.builder().input(2, 7, 6).conv(5, 3, 2, 1, TANH).maxPool(2, 2, 1)
            .flatten().dense(4, RELU).output(3, LossKind.SOFTMAX_CE).build();

    @Test
    void aConvolutionDeclaresItsSizes() {
        assertEquals(new ImageShape(2, 7, 6), CONV.input());
        assertEquals(new ImageShape(5, 4, 3), CONV.output());
        assertEquals(5 * 4 * 3, CONV.units());
        // Weights C_out × C_in·k² = 5 × 18, then 5 biases.
        assertEquals(5 * (18 + 1), CONV.parameterCount(84));
        assertEquals(5 * 18, CONV.weightCount(84));
        assertEquals(18, CONV.fanIn(84));
        assertEquals(5 * 9, CONV.fanOut(84));
        assertEquals(TANH, CONV.activation());
    }

    @Test
    void aConvolutionDeclaresItsBuffersAndWorkspace() {
        // Its windows: 8 rows · 12 windows of C_in·k² = 18 values.
        assertEquals(List.of(new LayerBuffer("outputs", 8, 60), new LayerBuffer("gradients", 8, 60),
                new LayerBuffer("windows", 8 * 12, 18)), CONV.buffers(84, 8, 0));
        assertEquals(List.of(new LayerBuffer("outputs", 8, 60), new LayerBuffer("gradients", 8, 60),
                new LayerBuffer("windows", 8 * 12, 18), new LayerBuffer("dropped outputs", 4, 60)),
                CONV.buffers(84, 8, 4));
        // (rows·OH·OW)·C_out: the 5 products of each of the 8·12 windows.
        assertEquals(8 * 12 * 5, CONV.workspace(84, 8));
        assertEquals(8L * 12 * 5, SPEC.workspace(8), "the network's: the largest layer's");
    }

    @Test
    void aMaxPoolDeclaresItsSizesAndItsIntIndices() {
        assertEquals(new ImageShape(5, 4, 3), POOL.input());
        assertEquals(new ImageShape(5, 3, 2), POOL.output());
        assertEquals(30, POOL.units());
        assertEquals(0, POOL.parameterCount(60));
        assertEquals(0, POOL.weightCount(60));
        assertEquals(IDENTITY, POOL.activation());
        assertEquals(0, POOL.workspace(60, 8));
        assertEquals(List.of(new LayerBuffer("outputs", 8, 30), new LayerBuffer("gradients", 8, 30),
                new LayerBuffer("indices", 8, 30, Tensor.DType.INT32)), POOL.buffers(60, 8, 0));
        assertEquals(List.of(new LayerBuffer("outputs", 8, 30), new LayerBuffer("gradients", 8, 30),
                new LayerBuffer("indices", 8, 30, Tensor.DType.INT32), new LayerBuffer("dropped outputs", 4, 30)),
                POOL.buffers(60, 8, 4));
    }

    @Test
    void anImageLayerReadsOnlyItsImagesWidth() {
        InvalidSetting conv = assertThrows(InvalidSetting.class, () -> CONV.checkInputs(83));
        assertEquals("conv:5:3:stride2:pad1,tanh reads 2×7×6 images (84 values), its input has 83", conv.getMessage());
        InvalidSetting pool = assertThrows(InvalidSetting.class, () -> POOL.checkInputs(61));
        assertEquals("maxpool:2:pad1 reads 5×4×3 images (60 values), its input has 61", pool.getMessage());
    }

    @Test
    void theSpecLaysTheConvolutionsParametersOutFirst() {
        assertEquals(List.of(CONV, POOL, new DenseSpec(4, RELU), new DenseSpec(3, IDENTITY)), SPEC.layers());
        // conv 5·19 = 95 at 0 (bias at 90), pool none, dense (30 + 1)·4 = 124 at 95 (bias at 215), output (4 + 1)·3 = 15 at 219.
        assertEquals(List.of(0, 95, 95, 219, 234), List.of(SPEC.weightOffset(0), SPEC.weightOffset(1),
                SPEC.weightOffset(2), SPEC.weightOffset(3), SPEC.weightOffset(4)));
        assertEquals(List.of(90, 215, 231), List.of(SPEC.biasOffset(0), SPEC.biasOffset(2), SPEC.biasOffset(3)));
        assertEquals(234, SPEC.parameterCount());
    }

    @Test
    void aNetworkAllocatesWhatItsImageLayersDeclare() {
        try (CpuBackend b = new CpuBackend()) {
            int before = b.liveBuffers();
            try (Network n = new Network(b, SPEC, 8, 4)) {
                int declared = 0;
                for (int l = 0; l < SPEC.layers().size(); l++) {
                    declared += SPEC.buffers(l, 8, 4).size();
                }
                // conv 4 (its windows and dropped outputs), pool 4 (indices and dropped outputs), hidden dense 3,
                // output 2.
                assertEquals(13, declared);
                assertEquals(4 + declared, b.liveBuffers() - before, "parameters, gradients, row losses, workspace");
            }
            assertEquals(before, b.liveBuffers(), "all freed on close");
        }
    }

    @Test
    void eachImageLayerViewsItsSliceOfTheParameterAndGradientBuffers() {
        try (CpuBackend b = new CpuBackend(); Network n = new Network(b, SPEC, 2)) {
            Layer conv = n.layers().get(0), pool = n.layers().get(1);
            for (boolean gradients : new boolean[]{false, true}) {
                List<Tensor> views = gradients ? conv.gradients() : conv.parameters();
                Tensor whole = gradients ? n.gradientBuffer() : n.parameterBuffer();
                assertEquals(2, views.size());
                Tensor w = views.get(0), bias = views.get(1);
                assertSame(whole.buffer(), w.buffer());
                assertSame(whole.buffer(), bias.buffer());
                assertEquals(List.of(0, 5, 18), List.of(w.offset(), w.rows(), w.cols()), "W: C_out × C_in·k²");
                assertEquals(List.of(90, 1, 5), List.of(bias.offset(), bias.rows(), bias.cols()), "b: C_out");
            }
            assertEquals(List.of(), pool.parameters());
            assertEquals(List.of(), pool.gradients());
            Layer dense = n.layers().get(2);
            assertEquals(List.of(95, 4, 30), List.of(dense.parameters().get(0).offset(),
                    dense.parameters().get(0).rows(), dense.parameters().get(0).cols()), "the dense layer after them");
            assertEquals(TANH, conv.output().activation());
            assertEquals(IDENTITY, pool.output().activation());
            assertEquals(List.of(2, 60), List.of(conv.output().values(2).rows(), conv.output().values(2).cols()));
            assertEquals(List.of(2, 30), List.of(pool.output().values(2).rows(), pool.output().values(2).cols()));
        }
    }
}
