package io.clprop.model.safetensors;

import io.clprop.backend.Activation;
import io.clprop.nn.LossKind;
import io.clprop.nn.Network;
import io.clprop.nn.NetworkSpec;
import io.clprop.util.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the reader refuses, each as one line naming the file and the problem, and what it accepts from a
 * writer other than clprop's (no metadata, another key order, other float types).
 */
class SafetensorsReaderTest {
    static final Path FILE = Path.of("w.safetensors");
    /** 2 inputs → 2 classes, no hidden layer: 0.weight [2, 2] and 0.bias [2], 24 bytes of F32. */
    static final NetworkSpec ONE_LAYER = Network.builder().input(2).output(2, LossKind.SOFTMAX_CE).build();
    static final String GOOD = "{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
            + "\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}}";

    /** The file of {@code header} (unpadded) and {@code dataBytes} bytes of data holding 0.5, 1.5, 2.5, …. */
    static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        for (int i = 0; i < dataBytes / 4; i++) {
            b.putFloat(i + 0.5f);
        }
        return b.array();
    }

    static void refused(Executable read, String fragment) {
        UserError e = assertThrows(UserError.class, read);
        assertTrue(e.getMessage().startsWith(FILE + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    @Test
    void aGoodFileFromAnotherWriterLoads() {
        // PyTorch's own file: no __metadata__ clprop wrote, the bias listed first, padding after the JSON.
        String header = "{\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
                + "\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}    ";
        float[] p = SequentialParameters.of(SafetensorsFile.parse(FILE, file(header, 24)), ONE_LAYER);
        assertArrayEquals(new float[]{0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f}, p);
    }

    @Test
    void shortOrOverlongHeaders() {
        refused(() -> SafetensorsFile.parse(FILE, new byte[5]), "truncated: 5 bytes, shorter than the 8-byte header length");
        byte[] beyond = file(GOOD, 24);
        ByteBuffer.wrap(beyond).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1000);
        refused(() -> SafetensorsFile.parse(FILE, beyond), "truncated: the header length is 1000 bytes, but only "
                + (beyond.length - 8) + " bytes follow it");
        byte[] huge = file(GOOD, 24);
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        refused(() -> SafetensorsFile.parse(FILE, huge), "a 18446744073709551615-byte header, more than the 100000000");
        refused(() -> SafetensorsFile.parse(FILE, withHeaderBytes(new byte[]{'{', (byte) 0xC3, '}'})),
                "the header is not valid UTF-8");
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            // header | fragment of the message
            "{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}, | malformed header JSON",
            "{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}} | malformed header JSON: the name \"0.weight\" appears twice",
            "{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,32]}} | tensor \"0.bias\": data_offsets [16, 32] are not within the data's 24 bytes",
            "{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}} | tensor \"0.bias\" (bytes 8 to 16) overlaps tensor \"0.weight\" (bytes 0 to 16)",
            "{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}} | bytes 8 to 16 of the data belong to no tensor (a gap before tensor \"0.bias\")",
            "{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},\"0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]}} | bytes 20 to 24 of the data belong to no tensor (after the last one)",
            "{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,16]},\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}} | tensor \"0.weight\": shape [2, 3] of F32 takes 24 bytes, but data_offsets [0, 16] hold 16",
            "{\"0.weight\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[0,16]},\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]}} | tensor \"0.weight\" has dtype \"I64\"; clprop reads F32, F64, F16 and BF16 weights",
            "{\"0.weight\":{\"dtype\":\"Q4\",\"shape\":[2,2],\"data_offsets\":[0,16]}} | tensor \"0.weight\" has dtype \"Q4\"",
            "{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,-2],\"data_offsets\":[0,16]}} | tensor \"0.weight\": shape[1] must be a whole number from 0 to 2147483647, got -2",
            "{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0]}} | tensor \"0.weight\": data_offsets must be [begin, end], got an array",
            "{\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16],\"strides\":[2,1]}} | tensor \"0.weight\": unknown key \"strides\"",
            "{\"__metadata__\":{\"format\":1},\"0.weight\":{\"dtype\":\"F32\",\"shape\":[6],\"data_offsets\":[0,24]}} | __metadata__.format must be a string, not 1",
            "[1] | malformed header JSON: expected a JSON object",
    })
    void badHeaders(String header, String fragment) {
        refused(() -> SafetensorsFile.parse(FILE, file(header, 24)), fragment);
    }

    @Test
    void tensorsThatAreNotTheNetworks() {
        NetworkSpec wider = Network.builder().input(784).dense(256, Activation.RELU).output(10, LossKind.SOFTMAX_CE).build();
        NetworkSpec narrower = Network.builder().input(784).dense(128, Activation.RELU).output(10, LossKind.SOFTMAX_CE).build();
        float[] p = new float[Math.toIntExact(narrower.parameterCount())];
        SafetensorsFile f = SafetensorsFile.parse(FILE, SafetensorsWriter.toBytes(new io.clprop.model.ModelFile(narrower, p,
                null, java.util.List.of(), null)));
        refused(() -> SequentialParameters.of(f, wider),
                "0.weight has shape [128, 784], the network's layer 1 (dense:256) needs [256, 784]");
        refused(() -> SequentialParameters.of(SafetensorsFile.parse(FILE, file(GOOD.replace(",\"0.bias\"", ",\"x\""), 24)),
                ONE_LAYER), "has no tensor 0.bias, which the network's layer 1 (dense:2) needs, of shape [2]");
        String extra = GOOD.substring(0, GOOD.length() - 1) + ",\"1.weight\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[24,28]}}";
        refused(() -> SequentialParameters.of(SafetensorsFile.parse(FILE, file(extra, 28)), ONE_LAYER),
                "tensor \"1.weight\" [1] is not a parameter of the network 2-2 identity softmax-ce, whose tensors are "
                        + "0.weight and 0.bias");
        byte[] nan = file(GOOD, 24);
        ByteBuffer.wrap(nan).order(ByteOrder.LITTLE_ENDIAN).putFloat(nan.length - 4, Float.NaN);
        refused(() -> SequentialParameters.of(SafetensorsFile.parse(FILE, nan), ONE_LAYER),
                "0.bias holds NaN at element 1 (weights must be finite)");
    }

    @Test
    void otherFloatTypesAreConvertedExactlyOrToTheNearestFloat() {
        // F16 1, −2, 65504 (the largest), 2^−24 (the smallest subnormal), 2^−14 (the smallest normal), 0x3555;
        // BF16 0x3F80 = 1 and 0xC049 = −3.140625; F64 0.1 rounds to the float nearest it.
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[6],\"data_offsets\":[0,12]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[12,16]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[16,24]},"
                + "\"__metadata__\":{\"format\":\"pt\"}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 24).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        for (int half : new int[]{0x3C00, 0xC000, 0x7BFF, 0x0001, 0x0400, 0x3555}) {
            b.putShort((short) half);
        }
        b.putShort((short) 0x3F80).putShort((short) 0xC049).putDouble(0.1);
        SafetensorsFile f = SafetensorsFile.parse(FILE, b.array());
        assertArrayEquals(new float[]{1, -2, 65504, 0x1p-24f, 0x1p-14f, 0.333251953125f}, f.tensors().get(0).values());
        assertArrayEquals(new float[]{1, -3.140625f}, f.tensors().get(1).values());
        assertArrayEquals(new float[]{0.1f}, f.tensors().get(2).values());
        assertEquals(Map.of("format", "pt"), f.metadata());
        assertEquals(Float.NEGATIVE_INFINITY, Dtype.halfToFloat((short) 0xFC00));
        assertTrue(Float.isNaN(Dtype.halfToFloat((short) 0x7E00)));
    }

    /** A file of no data whose header is given as raw bytes. */
    static byte[] withHeaderBytes(byte[] header) {
        return ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length)
                .put(header).array();
    }
}
