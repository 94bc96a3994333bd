package io.clprop.model.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The protocol buffers wire format, the few encodings an ONNX file needs: varints, tags, length-delimited
 * fields (strings, bytes, nested messages) and little-endian fixed-width numbers. A message is built in memory
 * and nested into its parent as a length-delimited field, since the length comes before the content.
 *
 * <p>A message may not grow past {@link #MAX_SIZE} bytes (protobuf's own limit is 2 GiB − 1, and a Java array
 * a few bytes less); past it the writer throws {@link TooLarge} rather than wrap a length.
 */
final class ProtoWriter {
    /** The largest message: what a Java byte array holds on every JVM, below protobuf's 2³¹ − 1. */
    static final int MAX_SIZE = Integer.MAX_VALUE - 16;

    static final int VARINT = 0, FIXED64 = 1, LENGTH_DELIMITED = 2, FIXED32 = 5;

    /** A message that would pass {@link #MAX_SIZE}. */
    static final class TooLarge extends RuntimeException {
        TooLarge(long size) {
            super("a protobuf message of " + size + " bytes, more than " + MAX_SIZE);
        }
    }

    private byte[] bytes;
    private int size;

    ProtoWriter() {
        this(64);
    }

    /**
     * A writer with room for {@code capacity} bytes: a message whose size is known ahead (a model around its
     * graph) is then written without growing, and {@link #toByteArray} hands its buffer over without a copy.
     */
    ProtoWriter(long capacity) {
        if (capacity > MAX_SIZE) {
            throw new TooLarge(capacity);
        }
        bytes = new byte[(int) Math.max(capacity, 16)];
    }

    /** The bytes written so far: the buffer itself when it is exactly full, else a copy. */
    byte[] toByteArray() {
        return size == bytes.length ? bytes : Arrays.copyOf(bytes, size);
    }

    /** The bytes a varint of {@code value} takes: 1 to 10. */
    static int varintSize(long value) {
        int n = 1;
        while ((value & ~0x7FL) != 0) {
            value >>>= 7;
            n++;
        }
        return n;
    }

    /** The bytes {@code message} takes nested as field {@code field}: its tag, its length and itself. */
    static long fieldSize(int field, ProtoWriter message) {
        return varintSize((long) field << 3) + varintSize(message.size) + (long) message.size;
    }

    int size() {
        return size;
    }

    /**
     * An unsigned LEB128 varint of the value's 64 bits: 7 bits a byte, low first, the high bit set on all
     * but the last. A negative int64 is its two's complement and takes 10 bytes, as protobuf encodes it.
     */
    ProtoWriter varint(long value) {
        reserve(10);
        while ((value & ~0x7FL) != 0) {
            bytes[size++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        bytes[size++] = (byte) value;
        return this;
    }

    /** A field's key: its number shifted past the 3 bits of its wire type. */
    ProtoWriter tag(int field, int wireType) {
        if (field < 1 || field > (1 << 29) - 1 || wireType < 0 || wireType > 5) {
            throw new IllegalArgumentException("field " + field + ", wire type " + wireType);
        }
        return varint(((long) field << 3) | wireType);
    }

    /** An int64, int32 or enum field. */
    ProtoWriter int64(int field, long value) {
        return tag(field, VARINT).varint(value);
    }

    /** A float field: 4 bytes, IEEE 754, little-endian. */
    ProtoWriter float32(int field, float value) {
        tag(field, FIXED32);
        reserve(4);
        int bits = Float.floatToRawIntBits(value);
        for (int i = 0; i < 4; i++) {
            bytes[size++] = (byte) (bits >>> (8 * i));
        }
        return this;
    }

    /** A string field, UTF-8. */
    ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    /** A bytes field: its length, then the bytes. */
    ProtoWriter bytes(int field, byte[] value) {
        return lengthDelimited(field, value, value.length);
    }

    /** The bytes of {@code other} as they are: fields written elsewhere, appended. */
    ProtoWriter append(ProtoWriter other) {
        reserve(other.size);
        System.arraycopy(other.bytes, 0, bytes, size, other.size);
        size += other.size;
        return this;
    }

    /** A nested message, as a length-delimited field. */
    ProtoWriter message(int field, ProtoWriter message) {
        return lengthDelimited(field, message.bytes, message.size);
    }

    /**
     * Floats as one length-delimited field of 4 little-endian bytes each: both a TensorProto's raw_data and a
     * packed repeated float, which have the same bytes.
     */
    ProtoWriter floatsLittleEndian(int field, float[] values) {
        return floatsLittleEndian(field, values, 0, values.length);
    }

    /** {@code count} floats of {@code values} from {@code from}, as {@link #floatsLittleEndian(int, float[])}. */
    ProtoWriter floatsLittleEndian(int field, float[] values, int from, int count) {
        java.util.Objects.checkFromIndexSize(from, count, values.length);
        long length = 4L * count;
        beginLengthDelimited(field, length);
        ByteBuffer.wrap(bytes, size, (int) length).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                .put(values, from, count);
        size += (int) length;
        return this;
    }

    /** Int64s as one length-delimited field of 8 little-endian bytes each (an int64 tensor's raw_data). */
    ProtoWriter longsLittleEndian(int field, long[] values) {
        long length = 8L * values.length;
        beginLengthDelimited(field, length);
        ByteBuffer.wrap(bytes, size, (int) length).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().put(values);
        size += (int) length;
        return this;
    }

    private ProtoWriter lengthDelimited(int field, byte[] content, int length) {
        beginLengthDelimited(field, length);
        System.arraycopy(content, 0, bytes, size, length);
        size += length;
        return this;
    }

    /** The tag and length of a length-delimited field, with room reserved for its content. */
    private void beginLengthDelimited(int field, long length) {
        // The tag and length take at most 15 bytes; checked before either is written.
        if (size + 15L + length > MAX_SIZE) {
            throw new TooLarge(size + 15L + length);
        }
        tag(field, LENGTH_DELIMITED).varint(length);
        reserve((int) length);
    }

    private void reserve(int more) {
        long needed = (long) size + more;
        if (needed > MAX_SIZE) {
            throw new TooLarge(needed);
        }
        if (needed > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.min(MAX_SIZE, Math.max(needed, 2L * bytes.length)));
        }
    }
}
