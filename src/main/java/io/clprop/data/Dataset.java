package io.clprop.data;

import io.clprop.util.ImageShape;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * A labelled classification data set held in memory: n samples of d features each, plus one class
 * index per sample, and optionally the image shape of a sample (its d values read as channels × height ×
 * width, for a convolutional network). Every set derived from this one (a head, a selection, other feature
 * values of the same samples) keeps the shape.
 *
 * <p>Immutable-ish: the accessors hand out the internal arrays rather than copies, because the
 * training loop reads them every epoch and a 188 MB copy each time would be wasteful. Callers must
 * not modify what {@link #features()} and {@link #labels()} return.
 */
public final class Dataset {
    private final float[] features;
    private final int[] labels;
    private final int featureCount;
    private final int numClasses;
    /** Null for plain feature rows. */
    private final ImageShape imageShape;

    /**
     * @param features     n × featureCount values, row-major (sample i occupies
     *                     {@code [i*featureCount, (i+1)*featureCount)})
     * @param labels       n class indices, each in {@code [0, numClasses)}
     * @param featureCount d, the number of features per sample (at least 1)
     * @param numClasses   the number of classes (at least 1)
     * @throws IllegalArgumentException if the lengths or labels are inconsistent; user input should
     *                                  have been checked (and reported as a UserError) before this
     */
    public Dataset(float[] features, int[] labels, int featureCount, int numClasses) {
        this(features, labels, featureCount, numClasses, null);
    }

    /**
     * A data set whose samples are images of {@code imageShape} (null: plain feature rows), as
     * {@link #Dataset(float[], int[], int, int)} otherwise.
     *
     * @throws IllegalArgumentException also if the shape does not hold exactly featureCount values
     */
    public Dataset(float[] features, int[] labels, int featureCount, int numClasses, ImageShape imageShape) {
        if (features == null || labels == null) {
            throw new IllegalArgumentException("features and labels must not be null");
        }
        if (featureCount < 1) {
            throw new IllegalArgumentException("featureCount must be at least 1, got " + featureCount);
        }
        if (numClasses < 1) {
            throw new IllegalArgumentException("numClasses must be at least 1, got " + numClasses);
        }
        long expected = (long) labels.length * featureCount;
        if (features.length != expected) {
            throw new IllegalArgumentException("features has " + features.length + " values, expected "
                    + labels.length + " samples × " + featureCount + " features = " + expected);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= numClasses) {
                throw new IllegalArgumentException("label " + labels[i] + " at index " + i
                        + " is outside 0.." + (numClasses - 1));
            }
        }
        if (imageShape != null && imageShape.size() != featureCount) {
            throw new IllegalArgumentException("image shape " + imageShape + " holds " + imageShape.size()
                    + " values, but samples have " + featureCount + " features");
        }
        this.features = features;
        this.labels = labels;
        this.featureCount = featureCount;
        this.numClasses = numClasses;
        this.imageShape = imageShape;
    }

    /** The n × d feature matrix, row-major. Shared, not copied: do not modify. */
    public float[] features() {
        return features;
    }

    /** The n class indices. Shared, not copied: do not modify. */
    public int[] labels() {
        return labels;
    }

    public int size() {
        return labels.length;
    }

    public int featureCount() {
        return featureCount;
    }

    public int numClasses() {
        return numClasses;
    }

    /** The shape of one sample as an image; empty for plain feature rows. */
    public Optional<ImageShape> imageShape() {
        return Optional.ofNullable(imageShape);
    }

    /** The same samples, labels (shared) and shape, seen as images of {@code shape}; the features are shared too. */
    public Dataset withImageShape(ImageShape shape) {
        return new Dataset(features, labels, featureCount, numClasses, shape);
    }

    /**
     * The same samples with other values (filled, reordered or standardised features, n × featureCount): the
     * labels are shared, and the class count and image shape kept.
     */
    public Dataset withFeatures(float[] values) {
        return new Dataset(values, labels, featureCount, numClasses, imageShape);
    }

    /** The first n samples, as an independent copy (so a quick run does not pin the full set). */
    public Dataset head(int n) {
        if (n < 0 || n > size()) {
            throw new IllegalArgumentException("head(" + n + ") on a data set of " + size() + " samples");
        }
        return new Dataset(
                Arrays.copyOf(features, n * featureCount),
                Arrays.copyOf(labels, n),
                featureCount,
                numClasses,
                imageShape);
    }

    /** The samples at {@code indices}, in that order, as an independent copy. */
    public Dataset select(int[] indices) {
        float[] f = new float[indices.length * featureCount];
        int[] l = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(features, indices[i] * featureCount, f, i * featureCount, featureCount);
            l[i] = labels[indices[i]];
        }
        return new Dataset(f, l, featureCount, numClasses, imageShape);
    }

    /** n × numClasses targets, row-major: 1.0 in the label's column, 0.0 elsewhere. */
    public float[] oneHotTargets() {
        float[] targets = new float[size() * numClasses];
        for (int i = 0; i < labels.length; i++) {
            targets[i * numClasses + labels[i]] = 1.0f;
        }
        return targets;
    }

    /** A copy of sample i's features. */
    public float[] row(int i) {
        if (i < 0 || i >= size()) {
            throw new IndexOutOfBoundsException("row " + i + " of a data set of " + size() + " samples");
        }
        return Arrays.copyOfRange(features, i * featureCount, (i + 1) * featureCount);
    }

    /**
     * CRC-32 of the shape, every feature's float bits and every label: a fingerprint by which a checkpoint
     * recognises the data its run trained on (another file, limit, standardisation or fill gives another
     * value). Not a cryptographic hash; a changed data set that collides is a 1 in 2³² accident. The image
     * shape is left out: it is how a network reads the values, which the checkpoint's own network spec
     * records, and leaving it out keeps the fingerprints of checkpoints written before data sets had shapes.
     */
    public long fingerprint() {
        CRC32 crc = new CRC32();
        ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        chunk.putInt(size()).putInt(featureCount).putInt(numClasses);
        for (float v : features) {
            if (chunk.remaining() < 4) {
                crc.update(chunk.flip());
                chunk.clear();
            }
            chunk.putFloat(v);
        }
        for (int v : labels) {
            if (chunk.remaining() < 4) {
                crc.update(chunk.flip());
                chunk.clear();
            }
            chunk.putInt(v);
        }
        crc.update(chunk.flip());
        return crc.getValue();
    }

    @Override
    public String toString() {
        return "Dataset[" + size() + " samples × " + featureCount + " features"
                + (imageShape != null ? " (images " + imageShape + ")" : "") + ", " + numClasses + " classes]";
    }
}
