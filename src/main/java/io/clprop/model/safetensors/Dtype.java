package io.clprop.model.safetensors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The element types clprop reads from a safetensors file, each turned into float as it is read: F32 as it
 * is; F16 and BF16 exactly (every half and bfloat16 value is a float); F64 rounded to the nearest float, a
 * value beyond the float range becoming infinite (which the parameters' finiteness check then refuses).
 * clprop writes F32 only. The integer and boolean types of the format are refused: they are no weights.
 */
public enum Dtype {
    F32(4), F64(8), F16(2), BF16(2);

    /** Bytes per element. */
    public final int size;

    Dtype(int size) {
        this.size = size;
    }

    /** The type named {@code name} as the header writes it ("F32"); null for any other. */
    public static Dtype named(String name) {
        for (Dtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    /** The {@code count} elements at {@code offset} of {@code data}, little-endian, as floats. */
    float[] decode(byte[] data, int offset, int count) {
        ByteBuffer b = ByteBuffer.wrap(data, offset, count * size).slice().order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[count];
        switch (this) {
            case F32 -> b.asFloatBuffer().get(out);
            case F64 -> {
                for (int i = 0; i < count; i++) {
                    out[i] = (float) b.getDouble(i * 8);
                }
            }
            case BF16 -> {
                // The upper half of a float32: its sign, exponent and top 7 fraction bits.
                for (int i = 0; i < count; i++) {
                    out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xFFFF) << 16);
                }
            }
            default -> {
                for (int i = 0; i < count; i++) {
                    out[i] = halfToFloat(b.getShort(i * 2));
                }
            }
        }
        return out;
    }

    /**
     * IEEE-754 binary16 to float, exactly (Java 17 has no Float.float16ToFloat): 1 sign, 5 exponent (bias
     * 15), 10 fraction bits; exponent 0 is zero or subnormal (fraction · 2^−24), 31 infinity or NaN.
     */
    static float halfToFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits >>> 15) != 0 ? -1 : 1;
        int exponent = (bits >>> 10) & 0x1F;
        int fraction = bits & 0x3FF;
        if (exponent == 0) {
            return sign * fraction * 0x1p-24f; // exact: at most 10 bits times a power of two
        }
        if (exponent == 0x1F) {
            return fraction == 0 ? sign * Float.POSITIVE_INFINITY : Float.NaN;
        }
        // Rebias the exponent (15 → 127) and widen the fraction (10 → 23 bits): an exact float.
        return Float.intBitsToFloat((bits & 0x8000) << 16 | (exponent + 112) << 23 | fraction << 13);
    }
}
