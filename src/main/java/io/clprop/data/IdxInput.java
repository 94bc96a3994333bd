package io.clprop.data;

import io.clprop.util.UserError;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Opens an IDX file that may or may not be gzip-compressed, and turns every I/O failure into a
 * one-line {@link UserError} naming the file, so that no IOException reaches the CLI.
 */
final class IdxInput {
    private static final int BUFFER_SIZE = 1 << 16;

    /** The body of a read; may throw IOException, which {@link #read} translates. */
    @FunctionalInterface
    interface Reader<T> {
        T read(InputStream in) throws IOException;
    }

    private IdxInput() {
    }

    /** Opens {@code file} (gunzipping if it is gzip data), runs {@code reader} on it and closes it. */
    static <T> T read(Path file, Reader<T> reader) {
        boolean gzip = false;
        try {
            checkIsNonEmptyFile(file);
            try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER_SIZE)) {
                gzip = startsWithGzipMagic(raw);
                if (!gzip && file.getFileName().toString().endsWith(".gz")) {
                    throw new UserError(file + ": is named .gz but is not gzip data");
                }
                if (!gzip) {
                    return reader.read(raw);
                }
                // Closed explicitly so its native inflater is freed now rather than at some GC.
                try (InputStream gunzipped = new GZIPInputStream(raw, BUFFER_SIZE)) {
                    return reader.read(gunzipped);
                }
            }
        } catch (NoSuchFileException e) {
            throw new UserError(file + ": file not found", e);
        } catch (AccessDeniedException e) {
            throw new UserError(file + ": permission denied", e);
        } catch (EOFException e) {
            // Only the gzip layer throws this: our own reads use readNBytes and check the count.
            String detail = e.getMessage() == null ? "" : " (" + e.getMessage() + ")";
            throw new UserError(file + ": truncated gzip data" + detail, e);
        } catch (ZipException e) {
            throw new UserError(file + ": corrupt gzip data (" + e.getMessage() + ")", e);
        } catch (IOException e) {
            String kind = gzip ? "cannot read gzip data" : "cannot read";
            throw new UserError(file + ": " + kind + " (" + e + ")", e);
        }
    }

    private static void checkIsNonEmptyFile(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new UserError(file + ": is a directory, expected an IDX file");
        }
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        if (Files.size(file) == 0) {
            throw new UserError(file + ": empty file (0 bytes)");
        }
    }

    /** Peeks at the first two bytes without consuming them; gzip streams start 0x1f 0x8b. */
    private static boolean startsWithGzipMagic(InputStream in) throws IOException {
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        return b0 == 0x1f && b1 == 0x8b;
    }
}
