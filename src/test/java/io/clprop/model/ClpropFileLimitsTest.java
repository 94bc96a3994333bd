package io.clprop.model;

import com.google.gson.JsonObject;
import io.clprop.util.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The container's header within its bounds: one longer than {@link ClpropFile#MAX_HEADER_BYTES} is refused
 * before it is decoded (and is never written), JSON beyond the parser's limits is "malformed header JSON"
 * naming the limit, and section fields quote the file's text cut short.
 */
class ClpropFileLimitsTest {
    static final String MAGIC = "CLPROPTS";
    static final Path FILE = Path.of("x.bin");

    @TempDir
    Path dir;

    /** A file's bytes: {@code header} (any bytes), {@code dataBytes} zeros, a correct CRC-32. */
    static byte[] file(byte[] header, int dataBytes) {
        ByteBuffer b = ByteBuffer.allocate(16 + header.length + dataBytes + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC.getBytes(StandardCharsets.US_ASCII)).putInt(1).putInt(header.length).put(header);
        b.position(b.position() + dataBytes);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return b.array();
    }

    static String refused(String header, int dataBytes) {
        return refused(file(header.getBytes(StandardCharsets.UTF_8), dataBytes));
    }

    static String refused(byte[] bytes) {
        String m = assertThrows(UserError.class, () -> ClpropFile.parse(FILE, bytes, MAGIC, java.util.Set.of(ClpropFile.FIRST_VERSION), "test")).getMessage();
        assertTrue(m.startsWith(FILE + ": ") && m.length() < 250, m.length() + " characters: " + m.substring(0, Math.min(300, m.length())));
        return m;
    }

    @Test
    void aHeaderLongerThanTheLimitIsRefusedBeforeItIsDecoded() {
        // Not even valid UTF-8: the length alone refuses it.
        byte[] header = new byte[ClpropFile.MAX_HEADER_BYTES + 1];
        java.util.Arrays.fill(header, (byte) 0xFF);
        assertEquals(FILE + ": a 67108865-byte header, more than the 67108864 bytes a clprop file may hold",
                refused(file(header, 0)));
    }

    @Test
    void aHeaderTheReaderWouldRefuseIsNeverWritten() {
        JsonObject h = new JsonObject();
        h.addProperty("names", "n".repeat(ClpropFile.MAX_HEADER_BYTES));
        ClpropFile c = new ClpropFile(MAGIC, h, new LinkedHashMap<>(), new LinkedHashMap<>());
        assertThrows(IllegalArgumentException.class, c::toBytes);
        Path f = dir.resolve("big.model");
        String m = assertThrows(UserError.class, () -> c.write(f)).getMessage();
        assertTrue(m.startsWith(f + ": cannot write a 671088") && m.contains("more than the 67108864"), m);
        assertTrue(!f.toFile().exists(), "nothing written");
    }

    @Test
    void jsonBeyondTheParsersLimitsIsMalformed() {
        String sections = "\"sections\": []";
        String deep = "{" + sections + ", \"x\": " + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        assertEquals(FILE + ": malformed header JSON: nested deeper than 64 levels at line 1 column 86", refused(deep, 0));
        assertTrue(refused("{" + sections + ", \"x\": 1e999999999}", 0).endsWith(
                ": malformed header JSON: the number 1e999999999 is beyond the range of a double (about 1e-324 to "
                        + "1.8e308) at line 1 column 23"));
        assertTrue(refused("{" + sections + ", " + sections + "}", 0).contains("the name \"sections\" appears twice"));
        assertTrue(refused("{" + sections + ", \"x\": 1" + "0".repeat(10_000_000) + "}", 0)
                .endsWith(": malformed header JSON: a number 10000001 characters long, more than the 40 allowed, at line 1 column 23"));
    }

    @Test
    void sectionFieldsAreQuotedCutShort() {
        String name = "p".repeat(1_000_000);
        String m = refused("{\"sections\":[{\"name\":\"" + name + "\",\"type\":\"f64\",\"count\":1}]}", 4);
        assertTrue(m.contains("section \"" + "p".repeat(40) + "…\": unknown type \"f64\""), m);
        m = refused("{\"sections\":[{\"name\":\"p\",\"type\":\"" + name + "\",\"count\":1}]}", 4);
        assertTrue(m.contains("unknown type \"" + "p".repeat(40) + "…\""), m);
        m = refused("{\"sections\":[{\"name\":\"p\",\"type\":\"f32\",\"count\":-1e-300}]}", 4);
        assertTrue(m.endsWith("section \"p\": negative count -1e-300"), m);
        m = refused("{\"sections\":[{\"name\":\"p\",\"type\":\"f32\",\"count\":1e300}]}", 4);
        assertTrue(m.endsWith("section \"p\": absurd count 1e300"), m);
        m = refused("{\"sections\":[{\"name\":\"p\",\"type\":\"f32\",\"count\":1e-300}]}", 4);
        assertTrue(m.endsWith("section \"p\": count 1e-300 is not a whole number"), m);
    }
}
