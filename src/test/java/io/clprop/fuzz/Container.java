package io.clprop.fuzz;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * A valid clprop container (model file or checkpoint, see {@code io.clprop.model.ClpropFile}) taken apart for
 * structure-aware edits: the preamble, the header as a JSON tree, and each section's bytes beside its entry in
 * the header's "sections" table. {@link #toBytes} puts it back together with the header length and the CRC-32
 * recomputed, so an edit gets past both and reaches the checks behind them. Values that JSON trees cannot hold
 * (1e999999999, NaN, a hundred thousand nested brackets) are written as raw text through placeholders.
 */
final class Container {
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

    /** Magic and version, as they were. */
    private final byte[] magicAndVersion;
    private final String originalHeader;
    final JsonObject header;
    /** Section data in file order; entries.get(i) is the header's table entry of data.get(i). */
    final List<byte[]> data = new ArrayList<>();
    final List<JsonObject> entries = new ArrayList<>();
    private final Map<String, String> raw = new HashMap<>();
    private boolean headerEdited;

    private Container(byte[] magicAndVersion, String header) {
        this.magicAndVersion = magicAndVersion;
        this.originalHeader = header;
        this.header = JsonParser.parseString(header).getAsJsonObject();
    }

    /** Takes apart a file that clprop wrote (it must be valid). */
    static Container parse(byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int h = b.getInt(12);
        Container c = new Container(Arrays.copyOf(file, 12), new String(file, 16, h, StandardCharsets.UTF_8));
        int at = 16 + h;
        for (JsonElement e : c.header.getAsJsonArray("sections")) {
            int n = e.getAsJsonObject().get("count").getAsInt();
            c.data.add(Arrays.copyOfRange(file, at, at + 4 * n));
            c.entries.add(e.getAsJsonObject());
            at += 4 * n;
        }
        return c;
    }

    /** Marks the header as changed: {@link #toBytes} then writes the tree instead of the original text. */
    void edited() {
        headerEdited = true;
    }

    /** A placeholder to put in the tree where {@code text} is to appear verbatim in the header. */
    JsonPrimitive raw(String text) {
        String key = "@@raw" + raw.size() + "@@";
        raw.put("\"" + key + "\"", text);
        headerEdited = true;
        return new JsonPrimitive(key);
    }

    byte[] toBytes() {
        String json = originalHeader;
        if (headerEdited) {
            json = GSON.toJson(header);
            for (Map.Entry<String, String> e : raw.entrySet()) {
                json = json.replace(e.getKey(), e.getValue());
            }
        }
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(magicAndVersion, 0, magicAndVersion.length);
        out.write(h.length);
        out.write(h.length >>> 8);
        out.write(h.length >>> 16);
        out.write(h.length >>> 24);
        out.write(h, 0, h.length);
        for (byte[] d : data) {
            out.write(d, 0, d.length);
        }
        byte[] body = out.toByteArray();
        CRC32 crc = new CRC32();
        crc.update(body);
        long v = crc.getValue();
        byte[] file = Arrays.copyOf(body, body.length + 4);
        for (int i = 0; i < 4; i++) {
            file[body.length + i] = (byte) (v >>> (8 * i));
        }
        return file;
    }

    // ---- the header's nodes ---------------------------------------------------------------------------

    /** A value in the header tree with its place: parent object and key, or parent array and index. */
    record Node(String path, JsonElement value, JsonObject inObject, String key, JsonArray inArray, int index) {
        void replace(JsonElement v) {
            if (inObject != null) {
                inObject.add(key, v);
            } else {
                inArray.set(index, v);
            }
        }

        void remove() {
            if (inObject != null) {
                inObject.remove(key);
            } else {
                inArray.remove(index);
            }
        }
    }

    /** Every value below the root, depth first in file order. */
    List<Node> nodes() {
        List<Node> out = new ArrayList<>();
        collect(header, "", out);
        return out;
    }

    private static void collect(JsonElement e, String path, List<Node> out) {
        if (e.isJsonObject()) {
            for (Map.Entry<String, JsonElement> kv : e.getAsJsonObject().entrySet()) {
                String p = path.isEmpty() ? kv.getKey() : path + "." + kv.getKey();
                out.add(new Node(p, kv.getValue(), e.getAsJsonObject(), kv.getKey(), null, -1));
                collect(kv.getValue(), p, out);
            }
        } else if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            for (int i = 0; i < a.size(); i++) {
                String p = path + "[" + i + "]";
                out.add(new Node(p, a.get(i), null, null, a, i));
                collect(a.get(i), p, out);
            }
        }
    }

    /** The value as JSON text. */
    static String json(JsonElement e) {
        return GSON.toJson(e);
    }

    /** The value as JSON text, shortened for logs. */
    static String show(JsonElement e) {
        String s = json(e);
        return s.length() <= 60 ? s : s.substring(0, 57) + "…";
    }
}
