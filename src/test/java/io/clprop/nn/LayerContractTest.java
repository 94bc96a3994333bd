package io.clprop.nn;

import io.clprop.TestDevices;
import io.clprop.backend.Activation;
import io.clprop.backend.Backend;
import io.clprop.backend.Tensor;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.backend.opencl.OpenClBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The layer contract: a layer spec declares its parameters and buffers, the network allocates exactly what
 * its layers declare, and each layer's parameters and gradients are its slice of the network's two buffers.
 */
class LayerContractTest {
    private static final NetworkSpec SPEC = NetworkSpec.mlp(5, new int[]{4, 6}, Activation.TANH, 3, LossKind.SOFTMAX_CE);

    @Test
    void aDenseSpecDeclaresItsOutputsGradientsAndDroppedOutputs() {
        DenseSpec d = new DenseSpec(6, Activation.RELU);
        assertEquals(6 * 6, d.parameterCount(5));
        assertEquals(List.of(new LayerBuffer("outputs", 8, 6), new LayerBuffer("gradients", 8, 6)),
                d.buffers(5, 8, 0));
        assertEquals(List.of(new LayerBuffer("outputs", 8, 6), new LayerBuffer("gradients", 8, 6),
                new LayerBuffer("dropped outputs", 4, 6)), d.buffers(5, 8, 4));
        assertEquals(3_000_000_000L, new LayerBuffer("outputs", 1_000_000, 3000).elements(), "exact past 2^31");
    }

    @Test
    void aDenseSpecNeedsAPositiveWidth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DenseSpec(0, Activation.RELU));
        assertEquals("layer width must be positive, got 0", e.getMessage());
    }

    @Test
    void onlyHiddenLayersHoldDroppedOutputs() {
        assertEquals(3, SPEC.buffers(0, 8, 4).size());
        assertEquals(3, SPEC.buffers(1, 8, 4).size());
        assertEquals(List.of(new LayerBuffer("outputs", 8, 3), new LayerBuffer("gradients", 8, 3)),
                SPEC.buffers(2, 8, 4));
    }

    @Test
    void theParameterCountIsWhatTheLayersDeclare() {
        long sum = 0;
        for (int l = 0; l < SPEC.layers().size(); l++) {
            assertEquals(sum, SPEC.weightOffset(l), "layer " + (l + 1) + " starts where the previous ends");
            sum += SPEC.layers().get(l).parameterCount(SPEC.inputsOf(l));
        }
        assertEquals(sum, SPEC.parameterCount());
        assertEquals(SPEC.parameterCount(), SPEC.weightOffset(SPEC.layers().size()));
    }

    private static Backend open(String device) {
        return device.equals("cpu") ? new CpuBackend() : TestDevices.openCl();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl"})
    void aNetworkAllocatesWhatItsLayersDeclare(String device) {
        try (Backend b = open(device)) {
            int buffers = b.liveBuffers();
            long bytes = b instanceof OpenClBackend cl ? cl.liveBytes() : 0;
            try (Network n = new Network(b, SPEC, 8, 4)) {
                int declared = 0;
                long elements = 2 * SPEC.parameterCount() + 8; // parameters, gradients, row losses
                for (int l = 0; l < SPEC.layers().size(); l++) {
                    for (LayerBuffer d : SPEC.buffers(l, 8, 4)) {
                        declared++;
                        elements += d.elements();
                    }
                }
                assertEquals(3 + declared, b.liveBuffers() - buffers, "buffers");
                if (b instanceof OpenClBackend cl) {
                    assertEquals(4 * elements, cl.liveBytes() - bytes, "device bytes");
                }
            }
            assertEquals(buffers, b.liveBuffers(), "all freed on close");
        }
    }

    @Test
    void eachLayerViewsItsSliceOfTheParameterAndGradientBuffers() {
        try (CpuBackend b = new CpuBackend(); Network n = new Network(b, SPEC, 2)) {
            assertEquals(SPEC.layers().size(), n.layers().size());
            for (int l = 0; l < SPEC.layers().size(); l++) {
                int in = SPEC.inputsOf(l), units = SPEC.layers().get(l).units();
                Layer layer = n.layers().get(l);
                for (boolean gradients : new boolean[]{false, true}) {
                    List<Tensor> views = gradients ? layer.gradients() : layer.parameters();
                    Tensor whole = gradients ? n.gradientBuffer() : n.parameterBuffer();
                    Tensor w = views.get(0), bias = views.get(1);
                    assertSame(whole.buffer(), w.buffer());
                    assertSame(whole.buffer(), bias.buffer());
                    assertEquals(List.of(SPEC.weightOffset(l), units, in), List.of(w.offset(), w.rows(), w.cols()));
                    assertEquals(List.of(SPEC.biasOffset(l), 1, units),
                            List.of(bias.offset(), bias.rows(), bias.cols()));
                }
                assertEquals(SPEC.layers().get(l).activation(), layer.output().activation());
                assertEquals(List.of(2, units), List.of(layer.output().values(2).rows(), layer.output().values(2).cols()));
            }
        }
    }

    @Test
    void dropoutNeedsANetworkBuiltWithDropoutRows() {
        try (CpuBackend b = new CpuBackend(); Network n = new Network(b, SPEC, 2)) {
            Tensor x = b.allocate(2, 5);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> n.layers().get(0).forward(x, new Dropout(0.5, 1).mask(0)));
            assertEquals("layer 1 has no dropout buffer for 2 rows (build the network with dropout rows)",
                    e.getMessage());
        }
    }
}
