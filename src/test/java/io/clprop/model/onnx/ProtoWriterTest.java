package io.clprop.model.onnx;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The protobuf wire format, against bytes worked out by hand from the encoding's rules. */
class ProtoWriterTest {
    static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    static byte[] varint(long v) {
        return new ProtoWriter().varint(v).toByteArray();
    }

    @Test
    void varintsAtTheEdgesOfTheirBytes() {
        assertArrayEquals(bytes(0x00), varint(0));
        assertArrayEquals(bytes(0x01), varint(1));
        assertArrayEquals(bytes(0x7F), varint(127));
        assertArrayEquals(bytes(0x80, 0x01), varint(128));
        // 300 = 0b10_0101100: low 7 bits 0101100 (0x2C) with the continuation bit, then 0b10.
        assertArrayEquals(bytes(0xAC, 0x02), varint(300));
        assertArrayEquals(bytes(0xFF, 0x7F), varint(16383));
        assertArrayEquals(bytes(0x80, 0x80, 0x01), varint(16384));
        // A negative int64 is its 64-bit two's complement: 9 bytes of 7 ones, then the last bit.
        assertArrayEquals(bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01), varint(-1));
        assertArrayEquals(bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01), varint(Long.MIN_VALUE));
        assertArrayEquals(bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F), varint(Long.MAX_VALUE));
        for (long v : new long[]{0, 127, 128, 300, 16384, -1, Long.MAX_VALUE}) {
            assertEquals(varint(v).length, ProtoWriter.varintSize(v), "size of " + v);
        }
    }

    @Test
    void tagsAndScalarFields() {
        // Field 1 varint: key 0x08; field 2 fixed32: key 0x15; field 20 varint: key 160 = 0xA0 0x01.
        assertArrayEquals(bytes(0x08, 0x96, 0x01), new ProtoWriter().int64(1, 150).toByteArray());
        assertArrayEquals(bytes(0x15, 0x00, 0x00, 0x80, 0x3F), new ProtoWriter().float32(2, 1f).toByteArray());
        assertArrayEquals(bytes(0xA0, 0x01, 0x07), new ProtoWriter().int64(20, 7).toByteArray());
        assertArrayEquals(bytes(0x12, 0x03, 'a', 'b', 'c'), new ProtoWriter().string(2, "abc").toByteArray());
        assertArrayEquals(bytes(0x0A, 0x02, 0xC3, 0xA9), new ProtoWriter().string(1, "é").toByteArray(), "UTF-8");
        assertArrayEquals(bytes(0x0A, 0x00), new ProtoWriter().string(1, "").toByteArray());
        assertThrows(IllegalArgumentException.class, () -> new ProtoWriter().tag(0, 0));
        assertThrows(IllegalArgumentException.class, () -> new ProtoWriter().tag(1, 6));
    }

    @Test
    void littleEndianNumbers() {
        // 1.0f = 0x3F800000, −2.0f = 0xC0000000; raw_data is field 9, key 0x4A.
        assertArrayEquals(bytes(0x4A, 0x08, 0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0),
                new ProtoWriter().floatsLittleEndian(9, new float[]{1f, -2f}).toByteArray());
        assertArrayEquals(bytes(0x4A, 0x04, 0x00, 0x00, 0x00, 0xC0),
                new ProtoWriter().floatsLittleEndian(9, new float[]{1f, -2f, 3f}, 1, 1).toByteArray());
        assertArrayEquals(bytes(0x4A, 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x03, 0, 0, 0, 0, 0, 0, 0),
                new ProtoWriter().longsLittleEndian(9, new long[]{-1, 3}).toByteArray());
        assertThrows(IndexOutOfBoundsException.class,
                () -> new ProtoWriter().floatsLittleEndian(9, new float[2], 1, 2));
    }

    @Test
    void aNestedMessageByteForByte() {
        // TensorShapeProto {dim {dim_param "N"}, dim {dim_value 784}}: 784 = 0x310 → varint 0x90 0x06.
        ProtoWriter shape = new ProtoWriter()
                .message(1, new ProtoWriter().string(2, "N"))
                .message(1, new ProtoWriter().int64(1, 784));
        assertArrayEquals(bytes(0x0A, 0x03, 0x12, 0x01, 'N', 0x0A, 0x03, 0x08, 0x90, 0x06), shape.toByteArray());
        assertEquals(2 + 10, ProtoWriter.fieldSize(7, shape));
        assertArrayEquals(bytes(0x3A, 0x0A, 0x0A, 0x03, 0x12, 0x01, 'N', 0x0A, 0x03, 0x08, 0x90, 0x06),
                new ProtoWriter().message(7, shape).toByteArray());
        assertArrayEquals(bytes(0x08, 0x01, 0x08, 0x01), new ProtoWriter().int64(1, 1)
                .append(new ProtoWriter().int64(1, 1)).toByteArray());
    }

    @Test
    void anOnnxModelByteForByte() {
        // The smallest model: a graph "g" of one Relu from x to y, [N, 2] floats, one metadata entry.
        OnnxGraph g = new OnnxGraph("g");
        g.node("Relu", "r", List.of("x"), "y").attribute("alpha", 1f);
        g.input("x", "N", 2);
        g.output("y", "N", 2);
        byte[] model = g.toModel(7, 13, "p", "1", Map.of("k", "v"));
        // ValueInfoProto x: name, type {tensor_type {elem_type 1, shape {dim {dim_param N}, dim {dim_value 2}}}}.
        int[] valueInfoX = {0x0A, 0x01, 'x', 0x12, 0x0F, 0x0A, 0x0D, 0x08, 0x01, 0x12, 0x09,
                0x0A, 0x03, 0x12, 0x01, 'N', 0x0A, 0x02, 0x08, 0x02};
        int[] expected = concat(
                new int[]{0x08, 0x07},                     // ir_version 7
                new int[]{0x12, 0x01, 'p'},                // producer_name
                new int[]{0x1A, 0x01, '1'},                // producer_version
                new int[]{0x42, 0x04, 0x0A, 0x00, 0x10, 0x0D}, // opset_import {domain "", version 13}
                new int[]{0x3A, 0x51},                     // graph, 81 bytes:
                // node {input x, output y, name r, op_type Relu, attribute {name alpha, type FLOAT, f 1.0}}
                new int[]{0x0A, 0x20, 0x0A, 0x01, 'x', 0x12, 0x01, 'y', 0x1A, 0x01, 'r', 0x22, 0x04, 'R', 'e', 'l', 'u',
                        0x2A, 0x0F, 0x0A, 0x05, 'a', 'l', 'p', 'h', 'a', 0xA0, 0x01, 0x01, 0x15, 0x00, 0x00, 0x80, 0x3F},
                new int[]{0x12, 0x01, 'g'},                // name
                new int[]{0x5A, 0x14}, valueInfoX,         // input
                new int[]{0x62, 0x14}, yInsteadOfX(valueInfoX), // output
                new int[]{0x72, 0x06, 0x0A, 0x01, 'k', 0x12, 0x01, 'v'}); // metadata_props {key k, value v}
        assertArrayEquals(bytes(expected), model);
    }

    static int[] yInsteadOfX(int[] valueInfo) {
        int[] out = valueInfo.clone();
        out[2] = 'y';
        return out;
    }

    static int[] concat(int[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToInt(java.util.Arrays::stream).toArray();
    }

    @Test
    void aWriterLargerThanAMessageIsRefused() {
        assertThrows(ProtoWriter.TooLarge.class, () -> new ProtoWriter(ProtoWriter.MAX_SIZE + 1L));
    }
}
