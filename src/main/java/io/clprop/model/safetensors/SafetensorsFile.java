package io.clprop.model.safetensors;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.clprop.util.BoundedJson;
import io.clprop.util.Excerpt;
import io.clprop.util.JsonNumbers;
import io.clprop.util.UserError;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A safetensors file as read: its tensors, each decoded to floats, and its {@code __metadata__}. The format
 * (Hugging Face's): an 8-byte little-endian unsigned header length N, N bytes of UTF-8 JSON
 * <pre>
 *   {"__metadata__": {"format": "pt", …},                     (optional; string values)
 *    "0.weight": {"dtype": "F32", "shape": [128, 784], "data_offsets": [0, 401408]}, …}
 * </pre>
 * (padded with spaces), then the tensors' bytes, little-endian, each at its offsets counted from the byte
 * after the header.
 *
 * <p>The file is untrusted. Before anything is allocated for a tensor: the header length is checked against
 * the file and against {@link #MAX_HEADER_BYTES}, the header must be valid UTF-8 and one JSON object within
 * {@link #LIMITS} (no name twice), each tensor must have exactly a known floating-point dtype ({@link Dtype}),
 * a shape of whole numbers whose product fits an array, and data offsets within the data holding exactly
 * that many bytes; and the tensors together must cover the data from its first byte to its last, with no gap
 * and no overlap. Each refusal is one {@link UserError} line naming the file and what is wrong.
 */
public final class SafetensorsFile {
    /** The safetensors library's own bound on the header (its MAX_HEADER_SIZE). */
    public static final long MAX_HEADER_BYTES = 100_000_000;
    /**
     * Nesting 3 is what the format has (header → tensor → shape); 8 leaves room. A string may be as long as
     * the header, since a metadata value (a network, a thousand feature names) is one string.
     */
    static final BoundedJson.Limits LIMITS = new BoundedJson.Limits(8, (int) MAX_HEADER_BYTES,
            (int) MAX_HEADER_BYTES, 40);
    static final String METADATA = "__metadata__";
    private static final Set<String> TENSOR_KEYS = Set.of("dtype", "shape", "data_offsets");

    /**
     * One tensor.
     *
     * @param shape  as the header gives it (empty for a scalar)
     * @param values its elements in row-major order, converted to float
     */
    public record Tensor(String name, Dtype dtype, long[] shape, float[] values) {
        @Override
        public long[] shape() {
            return shape.clone();
        }

        public String shapeText() {
            return Arrays.toString(shape);
        }
    }

    private final Path file;
    private final List<Tensor> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path file, List<Tensor> tensors, Map<String, String> metadata) {
        this.file = file;
        this.tensors = List.copyOf(tensors);
        this.metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** The file it was read from, for messages. */
    public Path file() {
        return file;
    }

    /** The tensors in the order the header lists them. */
    public List<Tensor> tensors() {
        return tensors;
    }

    /** The {@code __metadata__} entries (empty when it has none). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Whether {@code start}, a file's first bytes (16 or fewer when the file is shorter), looks like a safetensors
     * file: a header length that fits in the file, then a JSON object. For telling weight files apart by content.
     */
    public static boolean looksLike(byte[] start, long fileSize) {
        if (start.length < 9 || fileSize < 10) {
            return false;
        }
        long n = ByteBuffer.wrap(start, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        int i = 8;
        while (i < start.length && start[i] == ' ') {
            i++;
        }
        return n >= 2 && n <= fileSize - 8 && i < start.length && start[i] == '{';
    }

    /** Reads and checks {@code file}. */
    public static SafetensorsFile read(Path file) {
        byte[] bytes;
        try {
            if (Files.isDirectory(file)) {
                throw new UserError(file + ": is a folder, expected a safetensors file");
            }
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE - 8) {
                throw new UserError(file + ": " + size + " bytes, more than the " + (Integer.MAX_VALUE - 8)
                        + " bytes clprop reads from a safetensors file");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw UserError.cannotRead(file, e);
        }
        return parse(file, bytes);
    }

    /** Checks and decodes a file's bytes; {@code file} names it in messages. */
    public static SafetensorsFile parse(Path file, byte[] bytes) {
        if (bytes.length < 8) {
            throw error(file, "truncated: " + bytes.length + " bytes, shorter than the 8-byte header length");
        }
        long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long after = bytes.length - 8L;
        // Unsigned: a length with its top bit set is past every bound, not negative.
        if (Long.compareUnsigned(n, MAX_HEADER_BYTES) > 0) {
            throw error(file, "a " + Long.toUnsignedString(n) + "-byte header, more than the " + MAX_HEADER_BYTES
                    + " bytes a safetensors header may hold");
        }
        if (n > after) {
            throw error(file, "truncated: the header length is " + n + " bytes, but only " + after
                    + " bytes follow it");
        }
        JsonObject header = header(file, bytes, (int) n);
        int dataStart = 8 + (int) n;
        long dataLength = bytes.length - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (e.getKey().equals(METADATA)) {
                metadata = metadata(file, e.getValue());
            } else {
                entries.add(entry(file, e.getKey(), e.getValue(), dataLength));
            }
        }
        checkCoverage(file, entries, dataLength);
        List<Tensor> tensors = new ArrayList<>();
        for (Entry e : entries) {
            int count = (int) (e.end - e.begin) / e.dtype.size;
            tensors.add(new Tensor(e.name, e.dtype, e.shape, e.dtype.decode(bytes, dataStart + (int) e.begin, count)));
        }
        return new SafetensorsFile(file, tensors, metadata);
    }

    /** A tensor's header entry, checked against the data's length. */
    private record Entry(String name, Dtype dtype, long[] shape, long begin, long end) {
    }

    private static JsonObject header(Path file, byte[] bytes, int n) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 8, n)).toString();
        } catch (CharacterCodingException e) {
            throw error(file, "the header is not valid UTF-8");
        }
        try {
            return BoundedJson.parseObject(text, LIMITS);
        } catch (BoundedJson.Malformed e) {
            throw error(file, "malformed header JSON: " + e.getMessage());
        }
    }

    private static Map<String, String> metadata(Path file, JsonElement v) {
        if (!v.isJsonObject()) {
            throw error(file, METADATA + " must be an object of strings, not " + JsonNumbers.shown(v));
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : v.getAsJsonObject().entrySet()) {
            JsonElement s = e.getValue();
            if (!s.isJsonPrimitive() || !s.getAsJsonPrimitive().isString()) {
                throw error(file, METADATA + "." + Excerpt.of(e.getKey()) + " must be a string, not "
                        + JsonNumbers.shown(s));
            }
            out.put(e.getKey(), s.getAsString());
        }
        return out;
    }

    private static Entry entry(Path file, String name, JsonElement v, long dataLength) {
        String at = "tensor " + Excerpt.quoted(name);
        if (!v.isJsonObject()) {
            throw error(file, at + " must be an object {dtype, shape, data_offsets}, not " + JsonNumbers.shown(v));
        }
        JsonObject o = v.getAsJsonObject();
        for (String key : o.keySet()) {
            if (!TENSOR_KEYS.contains(key)) {
                throw error(file, at + ": unknown key " + Excerpt.quoted(key) + " (expected data_offsets, dtype, shape)");
            }
        }
        JsonElement d = o.get("dtype");
        if (d == null || !d.isJsonPrimitive() || !d.getAsJsonPrimitive().isString()) {
            throw error(file, at + ": dtype must be a string, got " + JsonNumbers.shown(d));
        }
        Dtype dtype = Dtype.named(d.getAsString());
        if (dtype == null) {
            throw error(file, at + " has dtype " + Excerpt.quoted(d.getAsString())
                    + "; clprop reads F32, F64, F16 and BF16 weights");
        }
        long[] shape = shape(file, at, o.get("shape"));
        long[] offsets = offsets(file, at, o.get("data_offsets"));
        long begin = offsets[0], end = offsets[1];
        if (begin > end || end > dataLength) {
            throw error(file, at + ": data_offsets [" + begin + ", " + end + "] are not within the data's "
                    + dataLength + " bytes");
        }
        long elements = 1;
        for (long s : shape) {
            elements *= s; // each side ≤ 2^31 − 1 and the running product too (checked below): no overflow
            if (elements > Integer.MAX_VALUE) {
                throw error(file, at + ": shape " + Arrays.toString(shape) + " has more than " + Integer.MAX_VALUE
                        + " elements");
            }
        }
        if (elements * dtype.size != end - begin) {
            throw error(file, at + ": shape " + Arrays.toString(shape) + " of " + dtype + " takes " + elements * dtype.size
                    + " bytes, but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long[] shape(Path file, String at, JsonElement v) {
        if (v == null || !v.isJsonArray()) {
            throw error(file, at + ": shape must be an array of whole numbers, got " + JsonNumbers.shown(v));
        }
        JsonArray a = v.getAsJsonArray();
        long[] shape = new long[a.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = JsonNumbers.wholeNumber(a.get(i), 0, Integer.MAX_VALUE, at + ": shape[" + i + "]",
                    p -> error(file, p));
        }
        return shape;
    }

    private static long[] offsets(Path file, String at, JsonElement v) {
        if (v == null || !v.isJsonArray() || v.getAsJsonArray().size() != 2) {
            throw error(file, at + ": data_offsets must be [begin, end], got " + JsonNumbers.shown(v));
        }
        JsonArray a = v.getAsJsonArray();
        return new long[]{JsonNumbers.wholeNumber(a.get(0), 0, Long.MAX_VALUE, at + ": data_offsets[0]", p -> error(file, p)),
                JsonNumbers.wholeNumber(a.get(1), 0, Long.MAX_VALUE, at + ": data_offsets[1]", p -> error(file, p))};
    }

    /** The tensors, in offset order, must cover bytes 0 to dataLength exactly once. */
    private static void checkCoverage(Path file, List<Entry> entries, long dataLength) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        Entry previous = null;
        for (Entry e : sorted) {
            if (e.begin < covered) {
                throw error(file, "tensor " + Excerpt.quoted(e.name) + " (bytes " + e.begin + " to " + e.end
                        + ") overlaps tensor " + Excerpt.quoted(previous.name) + " (bytes " + previous.begin + " to "
                        + previous.end + ")");
            }
            if (e.begin > covered) {
                throw error(file, "bytes " + covered + " to " + e.begin + " of the data belong to no tensor (a gap before "
                        + "tensor " + Excerpt.quoted(e.name) + ")");
            }
            covered = e.end;
            if (e.end > e.begin || previous == null) {
                previous = e;
            }
        }
        if (covered != dataLength) {
            throw error(file, "bytes " + covered + " to " + dataLength + " of the data belong to no tensor"
                    + (entries.isEmpty() ? " (the header lists none)" : " (after the last one)"));
        }
    }

    private static UserError error(Path file, String problem) {
        return new UserError(file + ": " + problem);
    }
}
