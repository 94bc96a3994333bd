package io.clprop.model;

import com.google.gson.JsonObject;
import io.clprop.util.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The container: round trip, the documented byte layout, and a one-line error for every kind of damage. */
class ClpropFileTest {
    static final String MAGIC = "CLPROPTS";

    @TempDir
    Path dir;

    static ClpropFile sample() {
        JsonObject h = new JsonObject();
        h.addProperty("note", "ünïcode ✓");
        h.addProperty("n", 3);
        h.add("nothing", com.google.gson.JsonNull.INSTANCE); // a null member survives the round trip
        LinkedHashMap<String, float[]> f = new LinkedHashMap<>();
        f.put("a", new float[]{1.5f, -0f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN, -3.25e-7f});
        f.put("empty", new float[0]);
        LinkedHashMap<String, int[]> i = new LinkedHashMap<>();
        i.put("b", new int[]{0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 42});
        return new ClpropFile(MAGIC, h, f, i);
    }

    /** Asserts a one-line UserError that names the file and contains each fragment; returns the message. */
    static String userError(Path file, String... fragments) {
        UserError e = assertThrows(UserError.class, () -> ClpropFile.read(file, MAGIC, "test"));
        String m = e.getMessage();
        assertFalse(m.contains("\n"), m);
        assertTrue(m.startsWith(file + ": "), m);
        for (String f : fragments) {
            assertTrue(m.contains(f), "expected \"" + f + "\" in: " + m);
        }
        return m;
    }

    Path written() {
        Path p = dir.resolve("x.bin");
        sample().write(p);
        return p;
    }

    @Test
    void roundTrip() {
        ClpropFile back = ClpropFile.read(written(), MAGIC, "test");
        ClpropFile orig = sample();
        assertEquals(orig.header(), back.header());
        assertFalse(back.header().has("sections"), "the section table is the container's, not the caller's");
        assertEquals(List.of("a", "empty"), List.copyOf(back.f32Sections().keySet()));
        // Bit patterns, so that -0, NaN and subnormals are checked to survive exactly.
        assertArrayEquals(bits(orig.f32("a")), bits(back.f32("a")));
        assertEquals(0, back.f32("empty").length);
        assertArrayEquals(orig.i32("b"), back.i32("b"));
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int k = 0; k < v.length; k++) {
            b[k] = Float.floatToRawIntBits(v[k]);
        }
        return b;
    }

    @Test
    void layoutIsAsDocumented() throws IOException {
        byte[] b = Files.readAllBytes(written());
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(MAGIC, new String(b, 0, 8, StandardCharsets.US_ASCII));
        assertEquals(1, bb.getInt(8));
        int h = bb.getInt(12);
        String json = new String(b, 16, h, StandardCharsets.UTF_8);
        assertTrue(json.contains("\"sections\""), json);
        int data = 16 + h;
        assertEquals(1.5f, bb.getFloat(data));
        assertEquals(-3.25e-7f, bb.getFloat(data + 4 * 5));
        assertEquals(0, bb.getInt(data + 4 * 6)); // "empty" has no values; "b" follows "a" directly
        assertEquals(-1, bb.getInt(data + 4 * 7));
        assertEquals(data + 4 * 11 + 4, b.length);
        CRC32 crc = new CRC32();
        crc.update(b, 0, b.length - 4);
        assertEquals((int) crc.getValue(), bb.getInt(b.length - 4));
    }

    @Test
    void everySingleByteChangeIsCaught() throws IOException {
        byte[] good = Files.readAllBytes(written());
        int h = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getInt(12);
        Path p = dir.resolve("flipped.bin");
        for (int at = 0; at < good.length; at++) {
            byte[] bad = good.clone();
            bad[at] ^= (byte) 0x5A;
            Files.write(p, bad);
            String m = userError(p);
            if (at < 8) {
                assertTrue(m.contains("not a clprop test file"), at + ": " + m);
            } else if (at < 12) {
                assertTrue(m.contains("unsupported format version"), at + ": " + m);
            } else if (at >= 16 + h) {
                // In the values and the checksum itself, nothing but the checksum can notice.
                assertTrue(m.contains("corrupted: CRC32 mismatch"), at + ": " + m);
            } else {
                // In the header length or the JSON the damage may first show as a structural problem; the
                // message still says that the file is corrupted.
                assertTrue(m.contains("CRC32") && m.contains("corrupted"), at + ": " + m);
            }
        }
    }

    @Test
    void aChangedHeaderValueFailsTheChecksum() throws IOException {
        byte[] b = Files.readAllBytes(written());
        String s = new String(b, StandardCharsets.ISO_8859_1);
        int at = s.indexOf("\"n\": 3");
        assertTrue(at > 0, s);
        b[at + 5] = '4'; // still valid JSON with the same structure
        Path p = dir.resolve("edited.bin");
        Files.write(p, b);
        userError(p, "corrupted: CRC32 mismatch");
    }

    @Test
    void truncationAtAnyPointIsReported() throws IOException {
        byte[] good = Files.readAllBytes(written());
        int h = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getInt(12);
        Path p = dir.resolve("short.bin");
        for (int len : new int[]{3, 8, 12, 15, 16, 17, 16 + h / 2, 16 + h, 16 + h + 5, good.length - 4, good.length - 1}) {
            Files.write(p, Arrays.copyOf(good, len));
            userError(p, "truncated");
        }
    }

    @Test
    void trailingBytes() throws IOException {
        byte[] good = Files.readAllBytes(written());
        Path p = dir.resolve("long.bin");
        Files.write(p, Arrays.copyOf(good, good.length + 3));
        userError(p, "3 trailing bytes");
    }

    @Test
    void emptyMissingFolderWrongMagic() throws IOException {
        Path empty = dir.resolve("empty.bin");
        Files.write(empty, new byte[0]);
        userError(empty, "empty file");
        userError(dir.resolve("nope.bin"), "file not found");
        userError(dir, "is a folder");
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello, this is not a model\n");
        userError(text, "not a clprop test file", "\"hello, t\"");
        byte[] b = Files.readAllBytes(written());
        b[7] = 'X';
        Files.write(text, b);
        userError(text, "not a clprop test file");
    }

    @Test
    void unsupportedVersion() throws IOException {
        byte[] b = Files.readAllBytes(written());
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2);
        Path p = dir.resolve("v2.bin");
        Files.write(p, b);
        userError(p, "unsupported format version 2");
    }

    /** A kind read at several versions gets the file's version; the others are refused, listed. */
    @Test
    void aKindReadsTheVersionsItKnows() throws IOException {
        ClpropFile c = new ClpropFile(MAGIC, 2, new JsonObject(), new LinkedHashMap<>(), new LinkedHashMap<>());
        Path p = dir.resolve("v2-kind.bin");
        c.write(p);
        assertEquals(2, ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN).getInt(8));
        assertEquals(2, ClpropFile.read(p, MAGIC, java.util.Set.of(1, 2), "test").version());
        assertEquals(1, ClpropFile.read(written(), MAGIC, java.util.Set.of(1, 2), "test").version());
        userError(p, "unsupported format version 2 (this clprop reads test files of version 1)");
        String m = assertThrows(UserError.class, () -> ClpropFile.read(p, MAGIC, java.util.Set.of(4, 1, 3), "test"))
                .getMessage();
        assertEquals(p + ": unsupported format version 2 (this clprop reads test files of versions 1, 3 and 4)", m);
        byte[] b = Files.readAllBytes(p);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(8, -1);
        Files.write(p, b);
        userError(p, "unsupported format version 4294967295 (this clprop reads test files of version 1)");
        assertThrows(IllegalArgumentException.class,
                () -> new ClpropFile(MAGIC, 0, new JsonObject(), new LinkedHashMap<>(), new LinkedHashMap<>()));
    }

    /** A file whose header is {@code json}, with {@code dataBytes} zero bytes and a correct checksum. */
    Path crafted(String json, int dataBytes) throws IOException {
        byte[] j = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(16 + j.length + dataBytes + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC.getBytes(StandardCharsets.US_ASCII)).putInt(1).putInt(j.length).put(j);
        b.position(b.position() + dataBytes);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        Path p = dir.resolve("crafted.bin");
        Files.write(p, b.array());
        return p;
    }

    @Test
    void craftedHeadersWithAGoodChecksumAreStillChecked() throws IOException {
        assertEquals(2, ClpropFile.read(crafted("{\"sections\":[{\"name\":\"p\",\"type\":\"f32\",\"count\":2}]}", 8),
                MAGIC, "test").f32("p").length);
        userError(crafted("{\"sections\": [", 0), "malformed header JSON");
        userError(crafted("{'sections': []}", 0), "malformed header JSON");
        userError(crafted("{\"sections\": []} {}", 0), "malformed header JSON");
        userError(crafted("[1, 2]", 0), "expected a JSON object");
        userError(crafted("", 0), "expected a JSON object");
        userError(crafted("{}", 0), "no \"sections\" array");
        userError(crafted("{\"sections\":[{\"name\":\"p\",\"type\":\"f64\",\"count\":1}]}", 4), "unknown type \"f64\"");
        userError(crafted("{\"sections\":[{\"name\":\"p\",\"type\":\"f32\",\"count\":-1}]}", 0), "negative count");
        userError(crafted("{\"sections\":[{\"name\":\"p\",\"type\":\"f32\",\"count\":1.5}]}", 0), "not a whole number");
        userError(crafted("{\"sections\":[{\"name\":\"p\",\"type\":\"f32\",\"count\":1e30}]}", 0), "absurd count");
        // Two billion floats would be 8 GB: refused by comparing with the file size, before any allocation.
        userError(crafted("{\"sections\":[{\"name\":\"p\",\"type\":\"f32\",\"count\":2000000000}]}", 8),
                "claims 2000000000 values");
        userError(crafted("{\"sections\":[{\"name\":\"p\",\"type\":\"f32\",\"count\":1},"
                + "{\"name\":\"p\",\"type\":\"i32\",\"count\":1}]}", 8), "appears twice");
        userError(crafted("{\"sections\":[{\"name\":\"p\",\"type\":\"f32\",\"count\":3}]}", 8), "truncated");
        Path p = crafted("{\"x\": 1}", 0);
        byte[] b = Files.readAllBytes(p);
        b[17] = (byte) 0xC3; // a lone UTF-8 lead byte inside the JSON; checksum recomputed below
        CRC32 crc = new CRC32();
        crc.update(b, 0, b.length - 4);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length - 4, (int) crc.getValue());
        Files.write(p, b);
        userError(p, "not valid UTF-8");
    }

    @Test
    void writeIsAtomicAndLeavesNoTemporaryFiles() throws IOException {
        Path p = written();
        sample().write(p); // overwrite
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(p), files.toList());
        }
    }

    @Test
    void writerRefusesWhatItCannotRepresent() {
        JsonObject h = new JsonObject();
        h.addProperty("sections", 1);
        assertThrows(IllegalArgumentException.class, () -> new ClpropFile(MAGIC, h, new LinkedHashMap<>(), new LinkedHashMap<>()));
        assertThrows(IllegalArgumentException.class, () -> new ClpropFile("SHORT", new JsonObject(), new LinkedHashMap<>(), new LinkedHashMap<>()));
        JsonObject nan = new JsonObject();
        nan.addProperty("loss", Double.NaN);
        assertThrows(IllegalArgumentException.class, () -> new ClpropFile(MAGIC, nan, new LinkedHashMap<>(), new LinkedHashMap<>()).toBytes());
    }
}
