package io.clprop.model.safetensors;

import io.clprop.backend.Activation;
import io.clprop.data.FeatureFill;
import io.clprop.data.Standardizer;
import io.clprop.model.ModelFile;
import io.clprop.nn.LossKind;
import io.clprop.nn.Network;
import io.clprop.nn.NetworkSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * clprop model → safetensors → model: the same network, names and preprocessing, and the parameters bit for
 * bit, for an MLP with every optional part and for a CNN; and the tensors alone (as a file without clprop's
 * metadata would be read) map to the same parameter buffer.
 */
class SafetensorsRoundTripTest {
    /** Random floats, with the values a text or conversion path could lose: −0, a subnormal, the extremes. */
    static float[] parameters(NetworkSpec spec, long seed) {
        Random r = new Random(seed);
        float[] p = new float[Math.toIntExact(spec.parameterCount())];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) r.nextGaussian();
        }
        p[0] = -0.0f;
        p[1] = Float.MIN_VALUE;
        p[2] = Float.MAX_VALUE;
        p[3] = -Float.MIN_NORMAL;
        return p;
    }

    static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToRawIntBits(v[i]);
        }
        return b;
    }

    @Test
    void mlpWithNamesStandardiserAndFill(@TempDir Path dir) {
        NetworkSpec spec = Network.builder().input(3).dense(5, Activation.TANH).dense(4, Activation.LEAKY_RELU)
                .output(2, LossKind.MSE).build();
        Standardizer s = new Standardizer(new float[]{0.1f, -3e-7f, 1e6f}, new float[]{1f / 3, 2.5f, 7e-3f});
        FeatureFill fill = new FeatureFill(FeatureFill.Policy.MEAN, new float[]{0.3f, -1e-9f, 12345.678f});
        ModelFile m = new ModelFile(spec, parameters(spec, 5), s, List.of("a<b", "\"q\""), List.of("x", "y=1", "ζ"),
                fill, null);
        Path file = dir.resolve("m.safetensors");
        SafetensorsWriter.write(m, file);
        ModelFile back = SafetensorsModel.read(file);
        assertEquals(spec, back.spec());
        assertArrayEquals(bits(m.parameters()), bits(back.parameters()));
        assertEquals(s, back.standardizer());
        assertEquals(fill, back.fill());
        assertEquals(m.classNames(), back.classNames());
        assertEquals(m.featureNames(), back.featureNames());
        // The tensors alone, by the names of the network's Sequential.
        assertArrayEquals(bits(m.parameters()), bits(SequentialParameters.of(SafetensorsFile.read(file), spec)));
    }

    @Test
    void cnn(@TempDir Path dir) {
        NetworkSpec spec = Network.builder().input(2, 9, 8).conv(3, 3, 1, 1, Activation.RELU).maxPool(2)
                .conv(4, 2, 2, 0, Activation.ELU).maxPool(2, 1, 1).flatten().dense(6, Activation.SOFTPLUS)
                .output(3, LossKind.SOFTMAX_CE).build();
        ModelFile m = new ModelFile(spec, parameters(spec, 6), null, List.of(), null);
        Path file = dir.resolve("cnn.safetensors");
        SafetensorsWriter.write(m, file);
        ModelFile back = SafetensorsModel.read(file);
        assertEquals(spec, back.spec());
        assertArrayEquals(bits(m.parameters()), bits(back.parameters()));
        assertNull(back.standardizer());
        assertNull(back.fill());
        assertEquals(List.of(), back.classNames());
        SafetensorsFile f = SafetensorsFile.read(file);
        assertEquals(List.of("0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias"),
                f.tensors().stream().map(SafetensorsFile.Tensor::name).toList());
        assertEquals("[3, 2, 3, 3]", f.tensors().get(0).shapeText());
        assertEquals("[4, 3, 2, 2]", f.tensors().get(2).shapeText());
    }
}
