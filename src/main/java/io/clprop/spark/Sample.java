package io.clprop.spark;

import java.io.Serializable;

/** One training sample as a cluster carries it: its features (an image's pixels in NCHW order) and class. */
public record Sample(float[] features, int label) implements Serializable {
}
