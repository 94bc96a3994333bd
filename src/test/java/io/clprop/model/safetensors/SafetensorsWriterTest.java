package io.clprop.model.safetensors;

import io.clprop.backend.Activation;
import io.clprop.model.ModelFile;
import io.clprop.nn.LossKind;
import io.clprop.nn.Network;
import io.clprop.nn.NetworkSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The writer's bytes for a network small enough to write out by hand: 2 inputs, dense:2,relu, dense:2. */
class SafetensorsWriterTest {
    /** The header as the format and this writer's documented key order make it, written out by hand. */
    static final String HEADER = "{\"__metadata__\":{"
            + "\"format\":\"pt\","
            + "\"clprop.sequential\":\"torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 2))\","
            + "\"clprop.layers\":\"dense:2,relu,dense:2\","
            + "\"clprop.network\":\"{\\\"inputs\\\":2,\\\"layers\\\":[{\\\"type\\\":\\\"dense\\\",\\\"units\\\":2,"
            + "\\\"activation\\\":\\\"relu\\\"},{\\\"type\\\":\\\"dense\\\",\\\"units\\\":2,\\\"activation\\\":\\\"identity\\\"}],"
            + "\\\"loss\\\":\\\"softmax-ce\\\"}\","
            + "\"clprop.loss\":\"softmax-ce\","
            + "\"clprop.classes\":\"[\\\"no\\\",\\\"yes\\\"]\"},"
            + "\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
            + "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
            + "\"2.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[24,40]},"
            + "\"2.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[40,48]}}";

    static ModelFile tiny() {
        NetworkSpec spec = Network.builder().input(2).dense(2, Activation.RELU).output(2, LossKind.SOFTMAX_CE).build();
        // W0 = [[1, -2], [0.5, 0]], b0 = [0.25, -1], W1 = [[2, 4], [-0.5, 1]], b1 = [0, 8]
        float[] p = {1, -2, 0.5f, 0, 0.25f, -1, 2, 4, -0.5f, 1, 0, 8};
        return new ModelFile(spec, p, null, List.of("no", "yes"), null);
    }

    @Test
    void tinyNetworkBytesAreTheHandWrittenOnes(@TempDir Path dir) throws Exception {
        byte[] header = HEADER.getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        // The floats above, little-endian IEEE-754 (1 = 3F800000, -2 = C0000000, 0.5 = 3F000000, 0.25 = 3E800000,
        // -1 = BF800000, 2 = 40000000, 4 = 40800000, -0.5 = BF000000, 8 = 41000000).
        int[] words = {0x3F800000, 0xC0000000, 0x3F000000, 0, 0x3E800000, 0xBF800000, 0x40000000, 0x40800000,
                0xBF000000, 0x3F800000, 0, 0x41000000};
        ByteBuffer expected = ByteBuffer.allocate(8 + padded + 48).order(ByteOrder.LITTLE_ENDIAN);
        expected.putLong(padded).put(header);
        while (expected.position() < 8 + padded) {
            expected.put((byte) ' ');
        }
        for (int w : words) {
            expected.putInt(w);
        }
        Path file = dir.resolve("tiny.safetensors");
        SafetensorsWriter.write(tiny(), file);
        byte[] written = Files.readAllBytes(file);
        assertEquals(new String(expected.array(), 0, 8 + padded, StandardCharsets.UTF_8).substring(8),
                new String(written, 8, Math.min(written.length - 8, padded), StandardCharsets.UTF_8), "header");
        assertArrayEquals(expected.array(), written);
        assertEquals(0, (8 + padded) % 8, "data 8-byte aligned");
        assertEquals(List.of("tiny.safetensors"), Arrays.stream(dir.toFile().list()).toList(), "no temporary file left");
    }
}
