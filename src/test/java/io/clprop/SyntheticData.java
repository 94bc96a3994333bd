package io.clprop;

import io.clprop.data.Dataset;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

/** Small data sets made in the test, so training tests do not depend on files. */
public final class SyntheticData {
    private SyntheticData() {
    }

    /** XOR: the four corners of the unit square, class 1 where exactly one input is 1. */
    public static Dataset xor() {
        return new Dataset(new float[]{0, 0, 0, 1, 1, 0, 1, 1}, new int[]{0, 1, 1, 0}, 2, 2);
    }

    /** Gaussian blobs: one random centre per class in [0,1]^d, samples at the centre plus N(0, noise²). */
    public static Dataset blobs(int n, int d, int classes, double noise, long seed) {
        RandomGenerator rng = new Well19937c(seed);
        double[][] centres = new double[classes][d];
        for (double[] c : centres) {
            for (int j = 0; j < d; j++) {
                c[j] = rng.nextDouble();
            }
        }
        float[] x = new float[n * d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = rng.nextInt(classes);
            for (int j = 0; j < d; j++) {
                x[i * d + j] = (float) (centres[y[i]][j] + noise * rng.nextGaussian());
            }
        }
        return new Dataset(x, y, d, classes);
    }

    /**
     * {@link #blobs} as images of {@code shape} (channels × height × width, NCHW): each class's centre is an
     * image, so a convolutional network has something to learn.
     */
    public static Dataset images(int n, io.clprop.util.ImageShape shape, int classes, double noise, long seed) {
        return blobs(n, shape.size(), classes, noise, seed).withImageShape(shape);
    }
}
