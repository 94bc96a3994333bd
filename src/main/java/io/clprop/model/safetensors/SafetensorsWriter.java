package io.clprop.model.safetensors;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.clprop.model.ModelFile;
import io.clprop.util.AtomicFiles;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A clprop model as a safetensors file that PyTorch loads into the model's {@link TorchSequential} with
 * {@code load_state_dict(load_file(path))}: one F32 tensor per weight and bias under its state_dict name,
 * in the order of the parameter buffer (so the data is that buffer, little-endian), and
 * {@link ClpropMetadata} in {@code __metadata__}, written first as the safetensors library writes it. The
 * header is compact JSON padded with spaces to a multiple of 8 bytes, so that the data starts 8-byte
 * aligned, as the library pads it.
 */
public final class SafetensorsWriter {
    /** No HTML escaping: a name with '<' or '=' stays as written. */
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private SafetensorsWriter() {
    }

    /** Writes {@code model} to {@code file} atomically (all of it or nothing: see {@link AtomicFiles}). */
    public static void write(ModelFile model, Path file) {
        AtomicFiles.writeBytes(file, toBytes(model));
    }

    /** The file's bytes. */
    public static byte[] toBytes(ModelFile model) {
        JsonObject header = new JsonObject();
        JsonObject metadata = new JsonObject();
        for (Map.Entry<String, String> e : ClpropMetadata.of(model).entrySet()) {
            metadata.addProperty(e.getKey(), e.getValue());
        }
        header.add(SafetensorsFile.METADATA, metadata);
        for (TorchSequential.Slot slot : TorchSequential.of(model.spec()).slots()) {
            JsonObject t = new JsonObject();
            t.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            Arrays.stream(slot.shape()).forEach(shape::add);
            t.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(4L * slot.offset());
            offsets.add(4L * (slot.offset() + (long) slot.count()));
            t.add("data_offsets", offsets);
            header.add(slot.name(), t);
        }
        byte[] json = GSON.toJson(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        float[] parameters = model.parameters();
        ByteBuffer out = ByteBuffer.allocate(Math.addExact(8 + padded, Math.multiplyExact(4, parameters.length)))
                .order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded).put(json);
        for (int i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        out.asFloatBuffer().put(parameters);
        return out.array();
    }
}
