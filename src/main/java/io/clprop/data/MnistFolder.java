package io.clprop.data;

import io.clprop.util.UserError;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Loads an MNIST-layout folder (MNIST itself, Fashion-MNIST, ...): the four standard IDX files,
 * each raw or gzip-compressed, into a train and a test {@link Dataset} with 10 classes, whose samples are
 * images of 1 × rows × cols.
 */
public final class MnistFolder {
    /** Where the Debian package dataset-fashion-mnist installs the files. */
    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    public static final int NUM_CLASSES = 10;

    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte";

    public record TrainTest(Dataset train, Dataset test) {
    }

    private MnistFolder() {
    }

    public static TrainTest load(Path dir) {
        checkFolder(dir);
        // Resolve all four names first so that one message lists everything that is missing.
        List<String> missing = new ArrayList<>();
        Path trainImages = locate(dir, TRAIN_IMAGES, missing);
        Path trainLabels = locate(dir, TRAIN_LABELS, missing);
        Path testImages = locate(dir, TEST_IMAGES, missing);
        Path testLabels = locate(dir, TEST_LABELS, missing);
        if (!missing.isEmpty()) {
            throw new UserError(dir + ": missing " + String.join(", ", missing));
        }

        // Labels first: they are small, so a bad label file is reported before seconds of image reading.
        int[] trainLab = readLabels(trainLabels);
        int[] testLab = readLabels(testLabels);
        IdxReader.Images trainImg = IdxReader.readImages(trainImages);
        IdxReader.Images testImg = IdxReader.readImages(testImages);
        checkSameCount(trainImages, trainImg, trainLabels, trainLab);
        checkSameCount(testImages, testImg, testLabels, testLab);
        if (trainImg.rows() != testImg.rows() || trainImg.cols() != testImg.cols()) {
            throw new UserError(testImages + ": images are " + testImg.rows() + "x" + testImg.cols()
                    + " but " + trainImages + " has " + trainImg.rows() + "x" + trainImg.cols());
        }
        return new TrainTest(toDataset(trainImg, trainLab), toDataset(testImg, testLab));
    }

    /** The test files alone (t10k-…), for evaluating a saved model without reading the training set. */
    public static Dataset loadTest(Path dir) {
        return loadPart(dir, TEST_IMAGES, TEST_LABELS);
    }

    /** The training files alone (train-…), for timing training without reading the test set. */
    public static Dataset loadTrain(Path dir) {
        return loadPart(dir, TRAIN_IMAGES, TRAIN_LABELS);
    }

    private static Dataset loadPart(Path dir, String imagesName, String labelsName) {
        checkFolder(dir);
        List<String> missing = new ArrayList<>();
        Path images = locate(dir, imagesName, missing);
        Path labelsFile = locate(dir, labelsName, missing);
        if (!missing.isEmpty()) {
            throw new UserError(dir + ": missing " + String.join(", ", missing));
        }
        int[] labels = readLabels(labelsFile);
        IdxReader.Images read = IdxReader.readImages(images);
        checkSameCount(images, read, labelsFile, labels);
        return toDataset(read, labels);
    }

    private static void checkFolder(Path dir) {
        if (!Files.exists(dir)) {
            throw new UserError(dir + ": dataset folder does not exist");
        }
        if (!Files.isDirectory(dir)) {
            throw new UserError(dir + ": is not a directory, expected a folder with the MNIST IDX files");
        }
    }

    /** The raw file if present (no decompression cost), else the .gz one, else records it missing. */
    private static Path locate(Path dir, String name, List<String> missing) {
        Path raw = dir.resolve(name);
        if (Files.exists(raw)) {
            return raw;
        }
        Path gz = dir.resolve(name + ".gz");
        if (Files.exists(gz)) {
            return gz;
        }
        missing.add(name + " (or .gz)");
        return null;
    }

    private static int[] readLabels(Path file) {
        int[] labels = IdxReader.readLabels(file);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= NUM_CLASSES) {
                throw new UserError(file + ": label " + labels[i] + " at index " + i
                        + " is outside 0.." + (NUM_CLASSES - 1));
            }
        }
        return labels;
    }

    private static void checkSameCount(Path imageFile, IdxReader.Images images, Path labelFile, int[] labels) {
        if (images.count() != labels.length) {
            throw new UserError(imageFile + " has " + images.count() + " images but " + labelFile
                    + " has " + labels.length + " labels");
        }
    }

    private static Dataset toDataset(IdxReader.Images images, int[] labels) {
        return new Dataset(images.pixels(), labels, images.pixelsPerImage(), NUM_CLASSES, images.shape());
    }
}
