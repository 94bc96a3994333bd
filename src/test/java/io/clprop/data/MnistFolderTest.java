package io.clprop.data;

import static io.clprop.data.IdxFiles.images;
import static io.clprop.data.IdxFiles.labels;
import static io.clprop.data.IdxFiles.write;
import static io.clprop.data.IdxFiles.writeMnistFolder;
import static io.clprop.data.IdxFiles.writeRaw;
import static io.clprop.data.MnistFolder.TEST_IMAGES;
import static io.clprop.data.MnistFolder.TEST_LABELS;
import static io.clprop.data.MnistFolder.TRAIN_IMAGES;
import static io.clprop.data.MnistFolder.TRAIN_LABELS;
import static io.clprop.data.UserErrors.assertUserError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MnistFolderTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void loadsFolder(boolean gz) {
        writeMnistFolder(dir, gz, 12, 5, 4, 3);

        MnistFolder.TrainTest data = MnistFolder.load(dir);

        Dataset train = data.train();
        assertEquals(12, train.size());
        assertEquals(12, train.featureCount());
        assertEquals(10, train.numClasses());
        assertEquals(5, data.test().size());
        assertEquals(12, data.test().featureCount());
        assertEquals(10, data.test().numClasses());

        // Pixel pattern: image 0 starts 0, 11, 22, ... and ends with a forced 255.
        float[] first = train.row(0);
        assertEquals(0.0f, first[0]);
        assertEquals(11 / 255f, first[1]);
        assertEquals(1.0f, first[11]);
        // Image 3, pixel 2: (3*37 + 2*11) % 256 = 133.
        assertEquals(133 / 255f, train.row(3)[2]);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1}, train.labels());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, data.test().labels());
    }

    @Test
    void bothSetsAreImagesOfOneChannel() {
        writeMnistFolder(dir, false, 12, 5, 4, 3);
        MnistFolder.TrainTest data = MnistFolder.load(dir);
        io.clprop.util.ImageShape shape = new io.clprop.util.ImageShape(1, 4, 3);
        assertEquals(java.util.Optional.of(shape), data.train().imageShape());
        assertEquals(java.util.Optional.of(shape), data.test().imageShape());
        assertEquals(java.util.Optional.of(shape), MnistFolder.loadTest(dir).imageShape());
    }

    @Test
    void loadTestReadsOnlyTheTestFiles() {
        writeMnistFolder(dir, false, 12, 5, 4, 3);
        // A broken training file: loadTest must not open it.
        writeRaw(dir.resolve(TRAIN_IMAGES), new byte[] {1, 2, 3});
        Dataset test = MnistFolder.loadTest(dir);
        assertEquals(5, test.size());
        assertEquals(12, test.featureCount());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, test.labels());
        assertUserError(() -> MnistFolder.load(dir), TRAIN_IMAGES);
        writeRaw(dir.resolve(TEST_LABELS), new byte[0]);
        assertUserError(() -> MnistFolder.loadTest(dir), TEST_LABELS);
    }

    @Test
    void prefersRawWhenBothExist() {
        writeMnistFolder(dir, false, 3, 2, 2, 2);
        // Broken .gz twins: loading succeeds only if the raw files are the ones read.
        for (String name : new String[] {TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS}) {
            writeRaw(dir.resolve(name + ".gz"), new byte[] {1, 2, 3});
        }
        assertEquals(3, MnistFolder.load(dir).train().size());
    }

    @Test
    void mixesRawAndGz() {
        write(dir, TRAIN_IMAGES, true, images(2, 1, 1, new byte[] {0, (byte) 255}));
        write(dir, TRAIN_LABELS, false, labels(new byte[] {7, 8}));
        write(dir, TEST_IMAGES, false, images(1, 1, 1, new byte[] {(byte) 255}));
        write(dir, TEST_LABELS, true, labels(new byte[] {9}));
        MnistFolder.TrainTest data = MnistFolder.load(dir);
        assertArrayEquals(new float[] {0f, 1f}, data.train().features());
        assertArrayEquals(new int[] {9}, data.test().labels());
    }

    @Test
    void folderDoesNotExist() {
        Path missing = dir.resolve("no-such-folder");
        assertUserError(() -> MnistFolder.load(missing), missing.toString(), "does not exist");
    }

    @Test
    void folderIsAFile() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertUserError(() -> MnistFolder.load(file), file.toString(), "not a directory");
    }

    @Test
    void missingFile() throws Exception {
        writeMnistFolder(dir, true, 3, 2, 2, 2);
        Files.delete(dir.resolve(TEST_LABELS + ".gz"));
        assertUserError(() -> MnistFolder.load(dir), dir + ": missing t10k-labels-idx1-ubyte (or .gz)");
    }

    @Test
    void allFilesMissingAreListed() {
        assertUserError(() -> MnistFolder.load(dir), dir.toString(),
                "missing", TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);
    }

    @Test
    void imageAndLabelCountsDiffer() {
        writeMnistFolder(dir, false, 3, 2, 2, 2);
        write(dir, TRAIN_LABELS, false, labels(new byte[] {1, 2, 3, 4}));
        assertUserError(() -> MnistFolder.load(dir),
                dir.resolve(TRAIN_IMAGES).toString(), dir.resolve(TRAIN_LABELS).toString(),
                "3 images", "4 labels");
    }

    @Test
    void labelOutOfRange() {
        writeMnistFolder(dir, true, 3, 2, 2, 2);
        Path labelFile = write(dir, TEST_LABELS, true, labels(new byte[] {1, 10}));
        assertUserError(() -> MnistFolder.load(dir), labelFile.toString(), "label 10 at index 1", "outside 0..9");
    }

    @Test
    void trainAndTestImageSizesDiffer() {
        writeMnistFolder(dir, false, 3, 2, 2, 2);
        write(dir, TEST_IMAGES, false, images(2, 2, 3, new byte[12]));
        assertUserError(() -> MnistFolder.load(dir),
                dir.resolve(TEST_IMAGES).toString(), "2x3", dir.resolve(TRAIN_IMAGES).toString(), "2x2");
    }

    @Test
    void brokenFileInFolderIsNamed() {
        writeMnistFolder(dir, true, 3, 2, 2, 2);
        Path broken = writeRaw(dir.resolve(TRAIN_IMAGES + ".gz"), images(3, 2, 2, new byte[12]));
        assertUserError(() -> MnistFolder.load(dir), broken.toString(), "not gzip");
    }
}
