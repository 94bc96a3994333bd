package io.clprop.util;

import static io.clprop.util.Wording.setting;

/**
 * The shape of one sample seen as an image: {@code channels × height × width} values, stored NCHW in a row
 * of {@link #size()} values (channel c, row h, column w at (c·height + h)·width + w), as PyTorch's tensors
 * and IDX image files hold them. A data set of images carries its samples' shape; a convolutional network
 * takes it as its input.
 */
public record ImageShape(int channels, int height, int width) implements java.io.Serializable {
    /** The largest side or channel count a file or a setting may declare (PyTorch has no such limit; 2^16 is far past any image). */
    public static final int MAX_SIDE = 1 << 16;

    public ImageShape {
        if (channels < 1 || height < 1 || width < 1 || channels > MAX_SIDE || height > MAX_SIDE || width > MAX_SIDE
                || (long) channels * height * width > Integer.MAX_VALUE) {
            throw new InvalidSetting("an image shape needs channels, height and width from 1 to " + MAX_SIDE
                    + " and at most 2^31 − 1 values, got " + channels + "×" + height + "×" + width);
        }
    }

    /** channels·height·width: the values of one sample, a row of the data. */
    public int size() {
        return channels * height * width;
    }

    /**
     * "C×H×W" or "CxHxW" (e.g. {@code 1x28x28}), as the setting {@code inputShape} is written; an
     * {@link InvalidSetting} naming it otherwise.
     */
    public static ImageShape parse(String text) {
        String[] parts = text.trim().split("[x×]", -1);
        if (parts.length != 3) {
            throw new InvalidSetting(setting("inputShape") + " wants channels×height×width, e.g. 1x28x28, got \""
                    + Excerpt.of(text) + "\"");
        }
        int[] v = new int[3];
        for (int i = 0; i < 3; i++) {
            try {
                v[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new InvalidSetting(setting("inputShape") + " wants three whole numbers channels×height×width,"
                        + " e.g. 1x28x28, got \"" + Excerpt.of(text) + "\"");
            }
        }
        try {
            return new ImageShape(v[0], v[1], v[2]);
        } catch (InvalidSetting e) {
            throw new InvalidSetting(setting("inputShape") + ": " + e.text());
        }
    }

    /** "1×28×28". */
    @Override
    public String toString() {
        return channels + "×" + height + "×" + width;
    }
}
