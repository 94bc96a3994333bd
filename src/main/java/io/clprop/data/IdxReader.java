package io.clprop.data;

import io.clprop.data.IdxHeader.Kind;
import io.clprop.util.ImageShape;
import io.clprop.util.UserError;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * Reads MNIST-format IDX files (unsigned-byte images and labels), raw or gzip-compressed.
 * Every problem with a file is reported as a one-line {@link UserError} naming the file.
 */
public final class IdxReader {
    /** Java arrays cannot be quite Integer.MAX_VALUE long on common JVMs. */
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /**
     * Images as floats in [0,1], one image after another, each row-major.
     *
     * @param pixels count × rows × cols values
     */
    public record Images(int count, int rows, int cols, float[] pixels) {
        public int pixelsPerImage() {
            return rows * cols;
        }

        /** One grey channel of rows × cols: IDX images have no channels. */
        public ImageShape shape() {
            return new ImageShape(1, rows, cols);
        }
    }

    /** Bytes allocated before any arrive (see {@link #readExactly}). */
    private static final int FIRST_READ = 64 << 20;
    private static final int SCALE_SLICE = 1 << 14;

    private IdxReader() {
    }

    public static Images readImages(Path file) {
        return IdxInput.read(file, in -> {
            int[] dims = IdxHeader.read(file, in, Kind.IMAGES);
            int count = checkCount(file, dims[0]);
            int rows = dims[1];
            int cols = dims[2];
            if (rows <= 0 || cols <= 0) {
                throw new UserError(file + ": invalid image size " + rows + "x" + cols
                        + " in header, rows and columns must be positive");
            }
            // Three 31-bit sizes can overflow even a long (2^93): the product is taken exactly.
            java.math.BigInteger total = java.math.BigInteger.valueOf(count).multiply(java.math.BigInteger.valueOf(rows))
                    .multiply(java.math.BigInteger.valueOf(cols));
            if (total.compareTo(java.math.BigInteger.valueOf(MAX_ELEMENTS)) > 0) {
                throw new UserError(file + ": header claims " + count + " images of " + rows + "x" + cols
                        + " = " + total + " pixels, more than one array can hold");
            }
            if (rows > ImageShape.MAX_SIDE || cols > ImageShape.MAX_SIDE) {
                throw new UserError(file + ": image size " + rows + "x" + cols + " in header, sides of more than "
                        + ImageShape.MAX_SIDE + " pixels are not supported");
            }
            byte[] bytes = readExactly(file, in, total.intValueExact(), "pixel data");
            return new Images(count, rows, cols, scaleToUnit(bytes));
        });
    }

    public static int[] readLabels(Path file) {
        return IdxInput.read(file, in -> {
            int[] dims = IdxHeader.read(file, in, Kind.LABELS);
            int count = checkCount(file, dims[0]);
            byte[] bytes = readExactly(file, in, count, "label data");
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = bytes[i] & 0xFF;
            }
            return labels;
        });
    }

    private static int checkCount(Path file, int count) {
        if (count < 0) {
            throw new UserError(file + ": negative sample count " + count + " in header");
        }
        if (count == 0) {
            throw new UserError(file + ": no samples (count is 0 in header)");
        }
        return count;
    }

    /**
     * Reads exactly {@code n} bytes and insists that nothing follows: a short or long file means the
     * header and the data disagree, and guessing which is right would silently train on garbage.
     */
    private static byte[] readExactly(Path file, InputStream in, int n, String what) throws IOException {
        // The array grows (doubling from at most FIRST_READ bytes) as data arrives, so a header claiming a
        // huge count on a short file costs at most FIRST_READ or twice what the file holds, whichever is
        // more; a true count up to FIRST_READ (all of Fashion-MNIST's 47 MB) is read straight into its final
        // array, with no copy.
        byte[] bytes = new byte[Math.min(n, FIRST_READ)];
        int got = 0;
        while (got < n) {
            if (got == bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, (int) Math.min(n, 2L * bytes.length));
            }
            int r = in.read(bytes, got, bytes.length - got);
            if (r < 0) {
                throw new UserError(file + ": truncated: expected " + n + " bytes of " + what + ", found " + got);
            }
            got += r;
        }
        long extra = in.transferTo(OutputStream.nullOutputStream());
        if (extra > 0) {
            throw new UserError(file + ": " + extra + " trailing bytes after the " + n + " bytes of "
                    + what + " the header announces");
        }
        return bytes;
    }

    private static float[] scaleToUnit(byte[] bytes) {
        float[] out = new float[bytes.length];
        // In slices, so that the JIT compiles the loop as a method after a few calls instead of running
        // 47 million iterations of Fashion-MNIST through the interpreter and on-stack replacement (0.7 s
        // against 0.05 s at JVM start).
        for (int from = 0; from < bytes.length; from += SCALE_SLICE) {
            scaleSlice(bytes, out, from, Math.min(bytes.length, from + SCALE_SLICE));
        }
        return out;
    }

    private static void scaleSlice(byte[] bytes, float[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = (bytes[i] & 0xFF) / 255f;
        }
    }
}
