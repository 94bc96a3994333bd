package io.clprop.model;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import io.clprop.util.AtomicFiles;
import io.clprop.util.BoundedJson;
import io.clprop.util.Excerpt;
import io.clprop.util.UserError;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * clprop's binary container, shared by model files and checkpoints. Layout (all integers little-endian):
 *
 * <pre>
 *   offset  size  content
 *   0       8     magic, 8 ASCII bytes chosen by the caller ("CLPROPMF" model, "CLPROPCK" checkpoint)
 *   8       4     u32 format version, per kind of file: what its header means (model files 1 or 2,
 *                 checkpoints 1); the layout described here is the same in every version
 *   12      4     u32 header length H in bytes
 *   16      H     header: one UTF-8 JSON object; its "sections" array lists the binary sections in order,
 *                 each {"name": …, "type": "f32" | "i32", "count": N}
 *   16+H    …     the sections' values, 4 bytes each (IEEE-754 float32 or two's-complement int32), in order
 *   end−4   4     u32 CRC-32 (java.util.zip.CRC32, the zlib/PNG polynomial) of every preceding byte
 * </pre>
 *
 * Each kind of file is read at the versions its reader knows ({@link #read(Path, String, Set, String)}) and
 * the version is handed to it ({@link #version()}), so that a kind changes its header without the others'
 * files changing version: a kind's reader refuses a version it does not know before anything else is read.
 *
 * <p>Reading checks everything before it trusts anything: a wrong magic, version, a truncated or overlong
 * file, malformed JSON, impossible section counts and a checksum mismatch each give a one-line
 * {@link UserError} naming the file. Counts are compared with the file's size before anything is allocated,
 * so a corrupted count cannot ask for gigabytes. The header is at most {@link #MAX_HEADER_BYTES} long, checked
 * before it is decoded, and is parsed within {@link BoundedJson.Limits#HEADER} (nesting, string and number
 * sizes, no name twice), so no header can exhaust the stack or the memory.
 */
public final class ClpropFile {
    /** The version every kind of file starts at (and checkpoints are still at). */
    public static final int FIRST_VERSION = 1;
    public static final String F32 = "f32";
    public static final String I32 = "i32";
    /** magic + version + header length. */
    static final int PREAMBLE = 16;
    static final int CRC_BYTES = 4;
    /**
     * The longest header read or written: 64 MiB. The largest a clprop file needs is a model of a wide CSV
     * file, whose header lists every feature name: a CSV record is at most
     * {@link io.clprop.data.CsvReader#MAX_RECORD_CHARS} (16 Mi) characters, so its names take at most 48 MiB as
     * UTF-8 (3 bytes a character in the BMP) plus a few bytes each of JSON around them. A checkpoint's history
     * takes about 400 bytes an epoch. Anything longer is damage, refused before it is decoded.
     */
    public static final int MAX_HEADER_BYTES = 64 << 20;
    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls()
            .setStrictness(Strictness.STRICT) // refuses NaN and infinities, which the strict reader would reject
            .create();

    private final String magic;
    private final int version;
    private final JsonObject header;
    private final LinkedHashMap<String, float[]> f32;
    private final LinkedHashMap<String, int[]> i32;

    /** A file at {@link #FIRST_VERSION}. */
    public ClpropFile(String magic, JsonObject header, LinkedHashMap<String, float[]> f32,
                      LinkedHashMap<String, int[]> i32) {
        this(magic, FIRST_VERSION, header, f32, i32);
    }

    /**
     * @param magic   exactly 8 ASCII characters
     * @param version the format version of the header's contents, at least 1
     * @param header the caller's fields; must not contain "sections" (this class writes that key), and its
     *               numbers must be finite (JSON has no NaN)
     * @param f32    float sections, written first, in map order
     * @param i32    int sections, written after the float ones, in map order
     */
    public ClpropFile(String magic, int version, JsonObject header, LinkedHashMap<String, float[]> f32,
                      LinkedHashMap<String, int[]> i32) {
        checkMagic(magic);
        if (version < 1) {
            throw new IllegalArgumentException("a format version is at least 1, got " + version);
        }
        if (header.has("sections")) {
            throw new IllegalArgumentException("the header key \"sections\" is reserved for the section table");
        }
        for (String name : f32.keySet()) {
            if (i32.containsKey(name)) {
                throw new IllegalArgumentException("section \"" + name + "\" given as both f32 and i32");
            }
        }
        this.magic = magic;
        this.version = version;
        this.header = header.deepCopy();
        this.f32 = new LinkedHashMap<>(f32);
        this.i32 = new LinkedHashMap<>(i32);
    }

    private static void checkMagic(String magic) {
        if (magic.length() != 8 || !StandardCharsets.US_ASCII.newEncoder().canEncode(magic)) {
            throw new IllegalArgumentException("magic must be 8 ASCII characters, got \"" + magic + "\"");
        }
    }

    public String magic() {
        return magic;
    }

    /** The format version the file was written at: how its header is to be read. */
    public int version() {
        return version;
    }

    /** The caller's header fields (without the section table). A copy. */
    public JsonObject header() {
        return header.deepCopy();
    }

    /** The float section of that name, or null. */
    public float[] f32(String name) {
        return f32.get(name);
    }

    /** The int section of that name, or null. */
    public int[] i32(String name) {
        return i32.get(name);
    }

    public LinkedHashMap<String, float[]> f32Sections() {
        return new LinkedHashMap<>(f32);
    }

    public LinkedHashMap<String, int[]> i32Sections() {
        return new LinkedHashMap<>(i32);
    }

    // ---- writing --------------------------------------------------------------------------------------

    /** The whole file as bytes. */
    public byte[] toBytes() {
        return toBytes(null);
    }

    /** The whole file as bytes; {@code file}, where it will be written (or null), names it in messages. */
    private byte[] toBytes(Path file) {
        JsonObject full = header.deepCopy();
        JsonArray sections = new JsonArray();
        long values = 0;
        for (Map.Entry<String, float[]> e : f32.entrySet()) {
            sections.add(section(e.getKey(), F32, e.getValue().length));
            values += e.getValue().length;
        }
        for (Map.Entry<String, int[]> e : i32.entrySet()) {
            sections.add(section(e.getKey(), I32, e.getValue().length));
            values += e.getValue().length;
        }
        full.add("sections", sections);
        byte[] json;
        try {
            json = GSON.toJson(full).getBytes(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // Gson refuses NaN and infinities: say which file kind was being written.
            throw new IllegalArgumentException(magic + " header: " + e.getMessage(), e);
        }
        if (json.length > MAX_HEADER_BYTES) {
            // Only names of absurd length get here; refused on writing, since no reader would take the file.
            String problem = "a " + json.length + "-byte header, more than the " + MAX_HEADER_BYTES
                    + " a clprop file may hold (are the feature or class names that long?)";
            throw file == null ? new IllegalArgumentException(problem) : new UserError(file + ": cannot write " + problem);
        }
        long total = PREAMBLE + (long) json.length + 4 * values + CRC_BYTES;
        if (total > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a " + total + "-byte file is more than this format's reader accepts");
        }
        ByteBuffer b = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        b.put(magic.getBytes(StandardCharsets.US_ASCII));
        b.putInt(version);
        b.putInt(json.length);
        b.put(json);
        for (float[] v : f32.values()) {
            b.asFloatBuffer().put(v);
            b.position(b.position() + 4 * v.length);
        }
        for (int[] v : i32.values()) {
            b.asIntBuffer().put(v);
            b.position(b.position() + 4 * v.length);
        }
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    /** Writes the file atomically (a temporary file beside it, flushed, then renamed). */
    public void write(Path file) {
        AtomicFiles.writeBytes(file, toBytes(file));
    }

    private static JsonObject section(String name, String type, int count) {
        JsonObject s = new JsonObject();
        s.addProperty("name", name);
        s.addProperty("type", type);
        s.addProperty("count", count);
        return s;
    }

    // ---- reading --------------------------------------------------------------------------------------

    /** Reads and validates a file of a kind that is at {@link #FIRST_VERSION} only (checkpoints). */
    public static ClpropFile read(Path file, String expectedMagic, String what) {
        return read(file, expectedMagic, Set.of(FIRST_VERSION), what);
    }

    /**
     * Reads and validates a file.
     *
     * @param versions the format versions the caller reads; any other is refused
     * @param what     what the caller expects, for messages: "model" gives "not a clprop model file"
     */
    public static ClpropFile read(Path file, String expectedMagic, Set<Integer> versions, String what) {
        checkMagic(expectedMagic);
        byte[] bytes;
        try {
            if (Files.isDirectory(file)) {
                throw new UserError(file + ": is a folder, expected a clprop " + what + " file");
            }
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE - 8) {
                throw new UserError(file + ": " + size + " bytes, too large to be a clprop " + what + " file");
            }
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw UserError.cannotRead(file, e);
        }
        return parse(file, bytes, expectedMagic, versions, what);
    }

    /** Validates and decodes a file's bytes; {@code file} only names it in messages. */
    static ClpropFile parse(Path file, byte[] bytes, String expectedMagic, Set<Integer> versions, String what) {
        Reader r = new Reader(file, bytes);
        if (bytes.length == 0) {
            throw r.error("empty file, expected a clprop " + what + " file");
        }
        byte[] expected = expectedMagic.getBytes(StandardCharsets.US_ASCII);
        if (bytes.length < expected.length && java.util.Arrays.equals(bytes, 0, bytes.length, expected, 0, bytes.length)) {
            throw r.error("truncated: " + bytes.length + " bytes, shorter than the " + PREAMBLE + "-byte preamble");
        }
        if (bytes.length < expected.length || !java.util.Arrays.equals(bytes, 0, expected.length, expected, 0, expected.length)) {
            throw r.error("not a clprop " + what + " file (starts with " + printable(bytes, 8) + ", expected \""
                    + expectedMagic + "\")");
        }
        if (bytes.length < PREAMBLE) {
            throw r.error("truncated: " + bytes.length + " bytes, shorter than the " + PREAMBLE + "-byte preamble");
        }
        long version = r.u32(8);
        if (version > Integer.MAX_VALUE || !versions.contains((int) version)) {
            throw r.error("unsupported format version " + version + " (this clprop reads " + what + " files of "
                    + versionList(versions) + ")");
        }
        try {
            return parseBody(r, bytes, expected, (int) version);
        } catch (UserError e) {
            // A damaged byte in the header shows up as a structural problem before the checksum is reached;
            // say that the file is damaged, not only what the damage looks like.
            if (bytes.length >= PREAMBLE + CRC_BYTES && !e.getMessage().contains("CRC32") && !crcMatches(r, bytes)) {
                throw new UserError(e.getMessage() + " (and the CRC32 does not match: the file is corrupted)");
            }
            throw e;
        }
    }

    /** "version 1", "versions 1 and 2", "versions 1, 2 and 3". */
    private static String versionList(Set<Integer> versions) {
        java.util.List<String> sorted = versions.stream().sorted().map(String::valueOf).toList();
        if (sorted.size() == 1) {
            return "version " + sorted.get(0);
        }
        return "versions " + String.join(", ", sorted.subList(0, sorted.size() - 1)) + " and "
                + sorted.get(sorted.size() - 1);
    }

    private static boolean crcMatches(Reader r, byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - CRC_BYTES);
        return r.u32(bytes.length - CRC_BYTES) == crc.getValue();
    }

    /** Everything after the preamble's magic and version. */
    private static ClpropFile parseBody(Reader r, byte[] bytes, byte[] expected, int version) {
        long headerLength = r.u32(12);
        long afterPreamble = bytes.length - PREAMBLE;
        if (headerLength > afterPreamble - CRC_BYTES) {
            throw r.error("truncated header: it is " + headerLength + " bytes long but only "
                    + Math.max(0, afterPreamble - CRC_BYTES) + " bytes follow before the checksum");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw r.error("a " + headerLength + "-byte header, more than the " + MAX_HEADER_BYTES
                    + " bytes a clprop file may hold");
        }
        JsonObject full = parseHeader(r, bytes, (int) headerLength);
        SectionTable table = SectionTable.of(r, full, bytes.length);
        long dataStart = PREAMBLE + headerLength;
        long expectedLength = dataStart + 4 * table.totalValues + CRC_BYTES;
        if (bytes.length < expectedLength) {
            throw r.error("truncated: the header announces " + expectedLength + " bytes, the file has "
                    + bytes.length);
        }
        if (bytes.length > expectedLength) {
            throw r.error((bytes.length - expectedLength) + " trailing bytes after the " + expectedLength
                    + " bytes the header announces");
        }
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - CRC_BYTES);
        long stored = r.u32(bytes.length - CRC_BYTES);
        if (stored != crc.getValue()) {
            throw r.error(String.format("corrupted: CRC32 mismatch (stored %08x, computed %08x)", stored,
                    crc.getValue()));
        }
        ByteBuffer data = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        data.position((int) dataStart);
        LinkedHashMap<String, float[]> f32 = new LinkedHashMap<>();
        LinkedHashMap<String, int[]> i32 = new LinkedHashMap<>();
        for (SectionTable.Entry e : table.entries) {
            if (e.type.equals(F32)) {
                float[] v = new float[e.count];
                data.asFloatBuffer().get(v);
                f32.put(e.name, v);
            } else {
                int[] v = new int[e.count];
                data.asIntBuffer().get(v);
                i32.put(e.name, v);
            }
            data.position(data.position() + 4 * e.count);
        }
        full.remove("sections");
        return new ClpropFile(new String(expected, StandardCharsets.US_ASCII), version, full, f32, i32);
    }

    private static JsonObject parseHeader(Reader r, byte[] bytes, int length) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, PREAMBLE, length)).toString();
        } catch (CharacterCodingException e) {
            throw r.error("malformed header: not valid UTF-8");
        }
        try {
            return BoundedJson.parseObject(text);
        } catch (BoundedJson.Malformed e) {
            throw r.error("malformed header JSON: " + e.getMessage());
        }
    }

    /** The "sections" array, validated against the file's size. */
    private record SectionTable(java.util.List<Entry> entries, long totalValues) {
        record Entry(String name, String type, int count) {
        }

        static SectionTable of(Reader r, JsonObject header, long fileSize) {
            JsonElement s = header.get("sections");
            if (s == null || !s.isJsonArray()) {
                throw r.error("malformed header: no \"sections\" array");
            }
            java.util.List<Entry> entries = new java.util.ArrayList<>();
            java.util.Set<String> names = new java.util.HashSet<>();
            long total = 0;
            for (JsonElement el : s.getAsJsonArray()) {
                if (!el.isJsonObject()) {
                    throw r.error("malformed header: a section entry is not an object");
                }
                JsonObject o = el.getAsJsonObject();
                String name = string(r, o, "name");
                String type = string(r, o, "type");
                if (!type.equals(F32) && !type.equals(I32)) {
                    throw r.error("section " + Excerpt.quoted(name) + ": unknown type " + Excerpt.quoted(type)
                            + " (expected f32 or i32)");
                }
                if (!names.add(name)) {
                    throw r.error("section " + Excerpt.quoted(name) + " appears twice");
                }
                long count = count(r, o, name);
                // Every value takes 4 bytes of the file: a count the file cannot hold is corruption, and
                // is refused here, before any array is allocated.
                if (4 * count > fileSize) {
                    throw r.error("section " + Excerpt.quoted(name) + " claims " + count + " values (" + 4 * count
                            + " bytes), more than the file's " + fileSize + " bytes");
                }
                total += count;
                entries.add(new Entry(name, type, (int) count));
            }
            return new SectionTable(entries, total);
        }

        private static String string(Reader r, JsonObject o, String key) {
            JsonElement v = o.get(key);
            if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw r.error("malformed header: a section has no string \"" + key + "\"");
            }
            return v.getAsString();
        }

        private static long count(Reader r, JsonObject o, String name) {
            JsonElement v = o.get("count");
            String section = "section " + Excerpt.quoted(name);
            if (v == null || !v.isJsonPrimitive() || !((JsonPrimitive) v).isNumber()) {
                throw r.error(section + ": no numeric \"count\"");
            }
            // The number's text as written: BoundedJson let through only short numbers within a double's
            // range, so this BigDecimal is small; messages quote the text, never an expansion of it.
            String text = v.getAsString();
            BigDecimal d = new BigDecimal(text);
            if (d.signum() < 0) {
                throw r.error(section + ": negative count " + Excerpt.of(text));
            }
            if (d.stripTrailingZeros().scale() > 0) {
                throw r.error(section + ": count " + Excerpt.of(text) + " is not a whole number");
            }
            if (d.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
                throw r.error(section + ": absurd count " + Excerpt.of(text));
            }
            return d.longValueExact();
        }
    }

    /** Little-endian reads and file-named errors. */
    private record Reader(Path file, byte[] bytes) {
        long u32(int at) {
            return ByteBuffer.wrap(bytes, at, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
        }

        UserError error(String problem) {
            return new UserError(file + ": " + problem);
        }
    }

    /** The first bytes as a quoted string with non-printable bytes escaped, for "starts with …". */
    private static String printable(byte[] bytes, int n) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < Math.min(n, bytes.length); i++) {
            int c = bytes[i] & 0xFF;
            sb.append(c >= 0x20 && c < 0x7F && c != '"' && c != '\\' ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return sb.append('"').toString();
    }
}
