package io.clprop.model;

import com.google.gson.JsonObject;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Set;

/**
 * A container file decoded for editing, as someone editing one by hand would: change the header JSON or a
 * section, then encode it again with a freshly computed CRC-32, so the reader's checksum no longer stands
 * between the edit and the code that interprets the values.
 */
public final class EditableClpropFile {
    private final String magic;
    private final int version;
    /** The caller's header fields (the section table is rebuilt from the sections on encoding). */
    public final JsonObject header;
    public final LinkedHashMap<String, float[]> f32;
    public final LinkedHashMap<String, int[]> i32;

    private EditableClpropFile(ClpropFile f) {
        this.magic = f.magic();
        this.version = f.version();
        this.header = f.header();
        this.f32 = f.f32Sections();
        this.i32 = f.i32Sections();
    }

    /** Decodes (and validates, CRC included) a file's bytes, at a version its kind is read at. */
    public static EditableClpropFile decode(byte[] bytes, String magic) {
        Set<Integer> versions = magic.equals(ModelFile.MAGIC) ? ModelFile.VERSIONS : Set.of(ClpropFile.FIRST_VERSION);
        return new EditableClpropFile(ClpropFile.parse(Path.of("edited"), bytes, magic, versions, "edited"));
    }

    /** The edited file's bytes, at the version it was, with a section table and CRC-32 that match the edits. */
    public byte[] encode() {
        return new ClpropFile(magic, version, header, f32, i32).toBytes();
    }
}
