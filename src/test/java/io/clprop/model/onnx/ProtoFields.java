package io.clprop.model.onnx;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A protobuf message's top-level fields, read independently of {@link ProtoWriter}: varints as Long,
 * length-delimited fields as byte[], fixed32 as Integer bits, in file order per field number.
 */
final class ProtoFields {
    private ProtoFields() {
    }

    static Map<Integer, List<Object>> read(byte[] m) {
        Map<Integer, List<Object>> fields = new TreeMap<>();
        int[] at = {0};
        while (at[0] < m.length) {
            long key = varint(m, at);
            int field = (int) (key >>> 3), type = (int) (key & 7);
            Object value;
            switch (type) {
                case 0:
                    value = varint(m, at);
                    break;
                case 2:
                    int n = Math.toIntExact(varint(m, at));
                    value = java.util.Arrays.copyOfRange(m, at[0], at[0] + n);
                    at[0] += n;
                    break;
                case 5:
                    value = (m[at[0]] & 0xFF) | (m[at[0] + 1] & 0xFF) << 8 | (m[at[0] + 2] & 0xFF) << 16
                            | (m[at[0] + 3] & 0xFF) << 24;
                    at[0] += 4;
                    break;
                default:
                    throw new IllegalArgumentException("wire type " + type + " at " + at[0]);
            }
            fields.computeIfAbsent(field, f -> new ArrayList<>()).add(value);
        }
        return fields;
    }

    static List<String> strings(List<Object> values) {
        return values.stream().map(v -> new String((byte[]) v, StandardCharsets.UTF_8)).toList();
    }

    private static long varint(byte[] m, int[] at) {
        long v = 0;
        for (int shift = 0; ; shift += 7) {
            byte b = m[at[0]++];
            v |= (long) (b & 0x7F) << shift;
            if (b >= 0) {
                return v;
            }
        }
    }
}
