package io.clprop.data;

import io.clprop.util.UserError;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The header of an IDX file: a magic number {@code 0x00 0x00 type ndims}, then ndims big-endian
 * int32 dimension sizes. We only accept unsigned-byte data, which is all MNIST-style sets use.
 */
final class IdxHeader {
    static final int UNSIGNED_BYTE = 0x08;

    /** What the caller expects the file to contain; used for checks and for error messages. */
    enum Kind {
        IMAGES(3, "unsigned-byte images, 3 dimensions"),
        LABELS(1, "unsigned-byte labels, 1 dimension");

        final int ndims;
        final String description;

        Kind(int ndims, String description) {
            this.ndims = ndims;
            this.description = description;
        }

        int expectedMagic() {
            return (UNSIGNED_BYTE << 8) | ndims;
        }
    }

    private IdxHeader() {
    }

    /**
     * Reads and checks the header, returning the dimension sizes (not yet range-checked, since what
     * is acceptable differs between the count and the image sides).
     */
    static int[] read(Path file, InputStream in, Kind kind) throws IOException {
        byte[] magicBytes = in.readNBytes(4);
        if (magicBytes.length == 0) {
            throw new UserError(file + ": empty file (no data after decompression)");
        }
        if (magicBytes.length < 4) {
            throw new UserError(file + ": truncated header: expected 4 bytes of magic number, found "
                    + magicBytes.length);
        }
        int magic = ByteBuffer.wrap(magicBytes).getInt();
        checkMagic(file, magic, kind);

        int headerBytes = 4 * kind.ndims;
        byte[] dimBytes = in.readNBytes(headerBytes);
        if (dimBytes.length < headerBytes) {
            throw new UserError(file + ": truncated header: expected " + (4 + headerBytes)
                    + " bytes, found " + (4 + dimBytes.length));
        }
        ByteBuffer dims = ByteBuffer.wrap(dimBytes); // big-endian by default, as IDX is
        int[] sizes = new int[kind.ndims];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = dims.getInt();
        }
        return sizes;
    }

    private static void checkMagic(Path file, int magic, Kind kind) {
        if (magic == kind.expectedMagic()) {
            return;
        }
        String prefix = String.format("%s: wrong magic number 0x%08X, expected 0x%08X (%s)",
                file, magic, kind.expectedMagic(), kind.description);
        int zeroes = magic >>> 16;
        int type = (magic >>> 8) & 0xFF;
        int ndims = magic & 0xFF;
        if (zeroes != 0) {
            throw new UserError(prefix + ": not an IDX file");
        }
        if (type != UNSIGNED_BYTE) {
            throw new UserError(prefix + String.format(
                    ": element type 0x%02X (%s) is not supported, only 0x08 (unsigned byte)",
                    type, typeName(type)));
        }
        throw new UserError(prefix + ": the file has " + ndims + " dimension" + (ndims == 1 ? "" : "s")
                + ", " + kind.name().toLowerCase() + " need " + kind.ndims + hintForSwappedFile(kind, ndims));
    }

    /** Passing the labels file where images belong (or vice versa) is the likely mistake. */
    private static String hintForSwappedFile(Kind kind, int ndims) {
        if (kind == Kind.IMAGES && ndims == Kind.LABELS.ndims) {
            return " (is this a label file?)";
        }
        if (kind == Kind.LABELS && ndims == Kind.IMAGES.ndims) {
            return " (is this an image file?)";
        }
        return "";
    }

    private static String typeName(int type) {
        return switch (type) {
            case 0x08 -> "unsigned byte";
            case 0x09 -> "signed byte";
            case 0x0B -> "16-bit integer";
            case 0x0C -> "32-bit integer";
            case 0x0D -> "32-bit float";
            case 0x0E -> "64-bit float";
            default -> "unknown type";
        };
    }
}
