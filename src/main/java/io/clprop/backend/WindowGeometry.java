package io.clprop.backend;

import io.clprop.util.ImageShape;
import io.clprop.util.InvalidSetting;

/**
 * The square windows a convolution or a max-pool slides over a batch of images: each image has
 * {@code channels × height × width} values (NCHW, one image a row of C·H·W values), a window is
 * {@code kernel × kernel} pixels, it moves by {@code stride} and the image is bordered by {@code padding} rows
 * and columns of zeros (a convolution) or of nothing (a max-pool, where the border never wins).
 *
 * <p>The output is {@code (height + 2·padding − kernel)/stride + 1} windows down and as many across (the
 * width's likewise), rounded down: where the windows do not divide the padded image, the rows and columns
 * left over at the bottom and right are dropped, as PyTorch's {@code Conv2d} and {@code MaxPool2d} do.
 *
 * <p>The values come from a network's layer description, so an impossible one (nothing to slide over, a
 * window larger than the padded image) is an {@link InvalidSetting}: bad input, not a programming error.
 */
public record WindowGeometry(int channels, int height, int width, int kernel, int stride, int padding) {

    public WindowGeometry {
        if (channels < 1 || height < 1 || width < 1) {
            throw new InvalidSetting("an image needs at least one channel, row and column, got " + channels + "×"
                    + height + "×" + width);
        }
        if (kernel < 1 || stride < 1 || padding < 0) {
            throw new InvalidSetting("a window needs a kernel and stride of at least 1 and a padding of at least 0, got"
                    + " kernel " + kernel + ", stride " + stride + ", padding " + padding);
        }
        if (kernel > height + 2L * padding || kernel > width + 2L * padding) {
            throw new InvalidSetting("a " + kernel + "×" + kernel + " window does not fit a " + height + "×" + width
                    + " image padded by " + padding);
        }
        if ((long) channels * height * width > Integer.MAX_VALUE
                || (long) channels * kernel * kernel > Integer.MAX_VALUE
                || height + 2L * padding > Integer.MAX_VALUE || width + 2L * padding > Integer.MAX_VALUE) {
            throw new InvalidSetting("an image of " + channels + "×" + height + "×" + width + " with a " + kernel
                    + "×" + kernel + " window, padded by " + padding + ", has more values than a tensor row holds");
        }
        // outputPixels() is an int: a large padding would wrap it (60028² windows) into a small or negative
        // count. From the parameters: the fields are not assigned before this body ends.
        long down = (height + 2L * padding - kernel) / stride + 1, across = (width + 2L * padding - kernel) / stride + 1;
        if (down * across > Integer.MAX_VALUE) {
            throw new InvalidSetting("a " + kernel + "×" + kernel + " window moving by " + stride + " over a " + height
                    + "×" + width + " image padded by " + padding + " makes " + down + "×" + across
                    + " windows, more than a tensor row holds");
        }
        // And the output's values, C·OH·OW, which outputPixels() times the channels would wrap likewise.
        if (channels * down * across > Integer.MAX_VALUE) {
            throw new InvalidSetting("an image of " + channels + "×" + height + "×" + width + " padded by " + padding
                    + " gives " + channels + "×" + down + "×" + across + " windows, more values than a tensor row holds");
        }
    }

    /**
     * Whether the windows neither overlap nor reach into a border (stride ≥ kernel, no padding): then every
     * pixel lies in at most one window, which a max-pool's backward pass can write without a gather (PyTorch's
     * default MaxPool2d(k) is such a pool).
     */
    public boolean disjoint() {
        return stride >= kernel && padding == 0;
    }

    /**
     * Whether these are 2 × 2 windows with stride 2 and no padding, the common max-pool (PyTorch's
     * MaxPool2d(2)), which OpenCL computes with a kernel of its own.
     */
    public boolean twoByTwo() {
        return kernel == 2 && stride == 2 && padding == 0;
    }

    /** Windows down the image: (height + 2·padding − kernel)/stride + 1, the remainder dropped. */
    public int outHeight() {
        return (height + 2 * padding - kernel) / stride + 1;
    }

    /** Windows across the image: (width + 2·padding − kernel)/stride + 1, the remainder dropped. */
    public int outWidth() {
        return (width + 2 * padding - kernel) / stride + 1;
    }

    /** The image the windows slide over: C × H × W. */
    public ImageShape image() {
        return new ImageShape(channels, height, width);
    }

    /**
     * Refuses input rows of other than C·H·W values for {@code layer} (its description, for the message):
     * the layer reads its rows as these images.
     */
    public void checkImageRows(String layer, int inputs) {
        if (inputs != imageSize()) {
            throw new InvalidSetting(layer + " reads " + image() + " images (" + imageSize() + " values), its input has "
                    + inputs);
        }
    }

    /** Values of one input image, C·H·W: a row of the input tensor. */
    public int imageSize() {
        return channels * height * width;
    }

    /** Windows of one channel, OH·OW: the output pixels of one image. */
    public int outputPixels() {
        return outHeight() * outWidth();
    }

    /** Values of one window over every channel, C·k·k: a row of im2col's patches, a row of a conv's weights. */
    public int patchSize() {
        return channels * kernel * kernel;
    }

    /** Values of one pooled image, C·OH·OW: a row of a max-pool's output. */
    public int pooledSize() {
        return channels * outputPixels();
    }

    /**
     * Refuses a max-pool whose padding is more than half its window (PyTorch's rule): then every window
     * holds at least one pixel of the image, so its maximum is a value of the image and never the border.
     */
    public void checkPooling() {
        if (2 * padding > kernel) {
            throw new InvalidSetting("a max-pool's padding must be at most half its window, got padding " + padding
                    + " for a " + kernel + "×" + kernel + " window");
        }
    }

    @Override
    public String toString() {
        return channels + "×" + height + "×" + width + " k" + kernel + " s" + stride + " p" + padding;
    }
}
