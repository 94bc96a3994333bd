package io.clprop.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Builds small synthetic IDX files for tests (here and the CLI's), raw or gzip-compressed. */
public final class IdxFiles {
    private IdxFiles() {
    }

    /** Header (magic 0x00 0x00 type ndims, then the dims big-endian) followed by {@code data}. */
    public static byte[] idx(int type, int[] dims, byte[] data) {
        ByteBuffer buf = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        buf.put((byte) 0).put((byte) 0).put((byte) type).put((byte) dims.length);
        for (int d : dims) {
            buf.putInt(d);
        }
        buf.put(data);
        return buf.array();
    }

    public static byte[] images(int count, int rows, int cols, byte[] pixels) {
        return idx(0x08, new int[] {count, rows, cols}, pixels);
    }

    public static byte[] labels(byte[] labels) {
        return idx(0x08, new int[] {labels.length}, labels);
    }

    /**
     * Deterministic pixels that include 0, 255 and middle values: pixel k of image i is
     * (i * 37 + k * 11) mod 256, with pixel 0 of image 0 being 0 and its last pixel forced to 255.
     */
    public static byte[] pixelPattern(int count, int rows, int cols) {
        byte[] p = new byte[count * rows * cols];
        for (int i = 0; i < count; i++) {
            for (int k = 0; k < rows * cols; k++) {
                p[i * rows * cols + k] = (byte) ((i * 37 + k * 11) % 256);
            }
        }
        p[rows * cols - 1] = (byte) 255;
        return p;
    }

    /** Labels 0,1,...,9,0,1,... */
    public static byte[] labelPattern(int count) {
        byte[] l = new byte[count];
        for (int i = 0; i < count; i++) {
            l[i] = (byte) (i % 10);
        }
        return l;
    }

    public static Path writeRaw(Path file, byte[] content) {
        try {
            return Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path writeGz(Path file, byte[] content) {
        return writeRaw(file, gzip(content));
    }

    public static byte[] gzip(byte[] content) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Writes the four MNIST files into {@code dir}: {@code trainCount} and {@code testCount} images of
     * rows × cols with {@link #pixelPattern} and {@link #labelPattern}; names get ".gz" if {@code gz}.
     */
    public static void writeMnistFolder(Path dir, boolean gz, int trainCount, int testCount, int rows, int cols) {
        write(dir, MnistFolder.TRAIN_IMAGES, gz, images(trainCount, rows, cols, pixelPattern(trainCount, rows, cols)));
        write(dir, MnistFolder.TRAIN_LABELS, gz, labels(labelPattern(trainCount)));
        write(dir, MnistFolder.TEST_IMAGES, gz, images(testCount, rows, cols, pixelPattern(testCount, rows, cols)));
        write(dir, MnistFolder.TEST_LABELS, gz, labels(labelPattern(testCount)));
    }

    /** Writes {@code name} (plus ".gz", compressed, if {@code gz}) into {@code dir}. */
    public static Path write(Path dir, String name, boolean gz, byte[] content) {
        return gz ? writeGz(dir.resolve(name + ".gz"), content) : writeRaw(dir.resolve(name), content);
    }
}
