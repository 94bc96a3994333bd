package io.clprop.data;

import static io.clprop.data.IdxFiles.idx;
import static io.clprop.data.IdxFiles.images;
import static io.clprop.data.IdxFiles.labels;
import static io.clprop.data.IdxFiles.write;
import static io.clprop.data.IdxFiles.writeRaw;
import static io.clprop.data.UserErrors.assertUserError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdxReaderTest {
    private static final String IMAGES = "imgs-idx3-ubyte";
    private static final String LABELS = "labs-idx1-ubyte";

    @TempDir
    Path dir;

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void readsImagesScaledToUnitInterval(boolean gz) {
        // 2 images of 2x3; 0, 255 and 51 (= 0.2) among the values.
        byte[] pixels = {0, (byte) 255, 51, 1, 2, 3, 10, 20, 30, 40, 50, (byte) 128};
        Path file = write(dir, IMAGES, gz, images(2, 2, 3, pixels));

        IdxReader.Images img = IdxReader.readImages(file);

        assertEquals(2, img.count());
        assertEquals(2, img.rows());
        assertEquals(3, img.cols());
        assertEquals(12, img.pixels().length);
        assertEquals(0.0f, img.pixels()[0]);
        assertEquals(1.0f, img.pixels()[1]);
        assertEquals(0.2f, img.pixels()[2], 1e-7f);
        assertEquals(128 / 255f, img.pixels()[11]);
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void readsLabelsAsUnsignedBytes(boolean gz) {
        Path file = write(dir, LABELS, gz, labels(new byte[] {0, 9, 3, (byte) 200}));
        assertArrayEquals(new int[] {0, 9, 3, 200}, IdxReader.readLabels(file));
    }

    @Test
    void gzipIsDetectedByContentNotName() {
        Path file = IdxFiles.writeGz(dir.resolve("labels-without-suffix"), labels(new byte[] {4, 2}));
        assertArrayEquals(new int[] {4, 2}, IdxReader.readLabels(file));
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void wrongMagic(boolean gz) {
        byte[] content = images(1, 1, 1, new byte[1]);
        content[0] = 0x12;
        Path file = write(dir, IMAGES, gz, content);
        assertUserError(() -> IdxReader.readImages(file), file.toString(), "wrong magic", "not an IDX file");
    }

    @Test
    void wrongElementType() {
        Path file = writeRaw(dir.resolve(IMAGES), idx(0x0D, new int[] {1, 1, 1}, new byte[4]));
        assertUserError(() -> IdxReader.readImages(file),
                file.toString(), "wrong magic number 0x00000D03", "element type 0x0D", "32-bit float");
    }

    @Test
    void labelFileGivenAsImages() {
        Path file = writeRaw(dir.resolve(LABELS), labels(new byte[] {1, 2}));
        assertUserError(() -> IdxReader.readImages(file), file.toString(),
                "wrong magic number 0x00000801, expected 0x00000803 (unsigned-byte images, 3 dimensions)",
                "1 dimension", "label file?");
    }

    @Test
    void wrongDimensionCountForLabels() {
        Path file = writeRaw(dir.resolve(LABELS), idx(0x08, new int[] {2, 1}, new byte[2]));
        assertUserError(() -> IdxReader.readLabels(file), file.toString(), "wrong magic", "2 dimensions");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void truncatedHeader(boolean gz) {
        byte[] full = images(1, 28, 28, new byte[784]);
        Path file = write(dir, IMAGES, gz, Arrays.copyOf(full, 10));
        assertUserError(() -> IdxReader.readImages(file), file.toString(), "truncated header", "found 10");
    }

    @Test
    void truncatedMagic() {
        Path file = writeRaw(dir.resolve(LABELS), new byte[] {0, 0, 8});
        assertUserError(() -> IdxReader.readLabels(file), file.toString(), "truncated header");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void truncatedPixelData(boolean gz) {
        Path file = write(dir, IMAGES, gz, images(3, 2, 2, new byte[11]));
        assertUserError(() -> IdxReader.readImages(file), file.toString(),
                "truncated: expected 12 bytes of pixel data, found 11");
    }

    @Test
    void truncatedLabelData() {
        Path file = writeRaw(dir.resolve(LABELS), idx(0x08, new int[] {5}, new byte[3]));
        assertUserError(() -> IdxReader.readLabels(file), file.toString(),
                "truncated: expected 5 bytes of label data, found 3");
    }

    @Test
    void hugeCountOnShortFileIsTruncationNotOutOfMemory() {
        Path file = writeRaw(dir.resolve(LABELS), idx(0x08, new int[] {Integer.MAX_VALUE - 100}, new byte[3]));
        assertUserError(() -> IdxReader.readLabels(file), file.toString(), "truncated", "found 3");
    }

    @Test
    void dimensionsWhoseProductOverflowsALongAreRefused() {
        // 2^31−1 images of 2^31−1 × 2^31−1 pixels: about 2^93, which wraps even a long (to a small positive
        // number here) and once slipped past the size check into a negative read length. Found by the fuzz test.
        int max = Integer.MAX_VALUE;
        Path file = writeRaw(dir.resolve(IMAGES), idx(0x08, new int[] {max, max, max}, new byte[4]));
        assertUserError(() -> IdxReader.readImages(file), file.toString(), "more than one array can hold");
        Path wrapsPositive = writeRaw(dir.resolve(IMAGES), idx(0x08, new int[] {1 << 20, 1 << 21, 1 << 23},
                new byte[4]));
        assertUserError(() -> IdxReader.readImages(wrapsPositive), wrapsPositive.toString(), "more than one array can hold");
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void trailingBytes(boolean gz) {
        Path file = write(dir, IMAGES, gz, images(1, 2, 2, new byte[7]));
        assertUserError(() -> IdxReader.readImages(file), file.toString(), "3 trailing bytes");
    }

    @Test
    void emptyFile() {
        Path file = writeRaw(dir.resolve(IMAGES), new byte[0]);
        assertUserError(() -> IdxReader.readImages(file), file.toString(), "empty");
    }

    @Test
    void emptyGzipContent() {
        Path file = IdxFiles.writeGz(dir.resolve(IMAGES + ".gz"), new byte[0]);
        assertUserError(() -> IdxReader.readImages(file), file.toString(), "empty");
    }

    @Test
    void gzNameButNotGzip() {
        Path file = writeRaw(dir.resolve(IMAGES + ".gz"), images(1, 1, 1, new byte[1]));
        assertUserError(() -> IdxReader.readImages(file), file.toString(), "named .gz but is not gzip data");
    }

    @Test
    void truncatedGzipStream() {
        byte[] gz = IdxFiles.gzip(images(10, 28, 28, IdxFiles.pixelPattern(10, 28, 28)));
        Path file = writeRaw(dir.resolve(IMAGES + ".gz"), Arrays.copyOf(gz, gz.length / 2));
        assertUserError(() -> IdxReader.readImages(file), file.toString(), "gzip");
    }

    @Test
    void corruptGzipStream() {
        byte[] gz = IdxFiles.gzip(images(10, 28, 28, IdxFiles.pixelPattern(10, 28, 28)));
        for (int i = 20; i < gz.length - 8; i++) {
            gz[i] ^= (byte) 0x5A;
        }
        Path file = writeRaw(dir.resolve(IMAGES + ".gz"), gz);
        assertUserError(() -> IdxReader.readImages(file), file.toString(), "gzip");
    }

    @Test
    void zeroCountIsNoSamples() {
        Path file = writeRaw(dir.resolve(IMAGES), images(0, 28, 28, new byte[0]));
        assertUserError(() -> IdxReader.readImages(file), file.toString(), "no samples");
        Path labels = writeRaw(dir.resolve(LABELS), labels(new byte[0]));
        assertUserError(() -> IdxReader.readLabels(labels), labels.toString(), "no samples");
    }

    @Test
    void negativeCount() {
        Path file = writeRaw(dir.resolve(LABELS), idx(0x08, new int[] {-1}, new byte[0]));
        assertUserError(() -> IdxReader.readLabels(file), file.toString(), "negative");
    }

    @Test
    void nonPositiveImageSize() {
        Path zeroRows = writeRaw(dir.resolve("zero-rows"), images(1, 0, 28, new byte[0]));
        assertUserError(() -> IdxReader.readImages(zeroRows), zeroRows.toString(), "invalid image size 0x28");
        Path negCols = writeRaw(dir.resolve("neg-cols"), images(1, 28, -3, new byte[0]));
        assertUserError(() -> IdxReader.readImages(negCols), negCols.toString(), "invalid image size 28x-3");
    }

    @Test
    void imagesAreOneChannelOfRowsByCols() {
        Path file = write(dir, IMAGES, false, images(2, 2, 3, new byte[12]));
        assertEquals(new io.clprop.util.ImageShape(1, 2, 3), IdxReader.readImages(file).shape());
    }

    @Test
    void sidesBeyondAnImageShapesLimitAreRefusedBeforeTheData() {
        // 1 × 65537: few pixels, but a side no ImageShape takes; refused from the header (the data is absent).
        Path wide = writeRaw(dir.resolve("wide"), images(1, 1, 65537, new byte[0]));
        assertUserError(() -> IdxReader.readImages(wide), wide.toString(), "image size 1x65537 in header",
                "sides of more than 65536 pixels are not supported");
        Path tall = writeRaw(dir.resolve("tall"), images(1, 65537, 1, new byte[0]));
        assertUserError(() -> IdxReader.readImages(tall), tall.toString(), "image size 65537x1");
        Path widest = write(dir, "widest", false, images(1, 1, 65536, new byte[65536]));
        assertEquals(65536, IdxReader.readImages(widest).shape().width());
    }

    @Test
    void tooManyPixelsForOneArray() {
        Path file = writeRaw(dir.resolve(IMAGES), images(100_000, 1000, 1000, new byte[0]));
        assertUserError(() -> IdxReader.readImages(file), file.toString(), "more than one array can hold");
    }

    @Test
    void missingFile() {
        Path file = dir.resolve("nope-idx1-ubyte");
        assertUserError(() -> IdxReader.readLabels(file), file.toString(), "not found");
    }

    @Test
    void directoryInsteadOfFile() throws Exception {
        Path sub = Files.createDirectory(dir.resolve("a-directory"));
        assertUserError(() -> IdxReader.readLabels(sub), sub.toString(), "is a directory");
    }
}
