package io.clprop.backend.cpu;

import io.clprop.backend.Activation;
import io.clprop.backend.Tensor;
import io.clprop.backend.WindowGeometry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.clprop.backend.TestTensors.matrix;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * im2col and col2im on the CPU twin against windows written out by hand, and a convolution computed the way
 * {@code Backend#im2col} describes (the dense layer's products over the windows) against its hand-computed
 * output and gradients. Small integers throughout: every value is exact, so every comparison is (delta 0).
 */
class CpuConvKnownValuesTest {
    private final CpuBackend cpu = new CpuBackend();

    @AfterEach
    void close() {
        cpu.close();
    }

    // One image, one channel:   1 2 3
    //                           4 5 6
    //                           7 8 9
    private static final float[] IMAGE = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    // 2×2 windows, stride 1, no padding: 2×2 windows, each a row (kh, kw row-major).
    private static final WindowGeometry K2 = new WindowGeometry(1, 3, 3, 2, 1, 0);
    private static final float[] K2_WINDOWS = {
            1, 2, 4, 5,
            2, 3, 5, 6,
            4, 5, 7, 8,
            5, 6, 8, 9};

    @Test
    void im2colWritesEachWindowAsARow() {
        Tensor cols = cpu.allocate(4, 4);
        cpu.im2col(matrix(cpu, 1, 9, IMAGE), K2, cols);
        assertArrayEquals(K2_WINDOWS, cpu.read(cols), 0f);
    }

    @Test
    void im2colFillsThePaddingWithZeros() {
        // 3×3 windows, stride 2, padding 1: (3 + 2 − 3)/2 + 1 = 2 windows each way, at rows and columns −1, 1.
        Tensor cols = cpu.allocate(4, 9);
        cpu.im2col(matrix(cpu, 1, 9, IMAGE), new WindowGeometry(1, 3, 3, 3, 2, 1), cols);
        assertArrayEquals(new float[]{
                0, 0, 0, 0, 1, 2, 0, 4, 5,
                0, 0, 0, 2, 3, 0, 5, 6, 0,
                0, 4, 5, 0, 7, 8, 0, 0, 0,
                5, 6, 0, 8, 9, 0, 0, 0, 0}, cpu.read(cols), 0f);
    }

    @Test
    void im2colOrdersAWindowChannelByChannelAndTheRowsImageByImage() {
        // Two images of two 2×2 channels, one 2×2 window each: a row is channel 0's window, then channel 1's.
        Tensor cols = cpu.allocate(2, 8);
        cpu.im2col(matrix(cpu, 2, 8, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 14, 15, 16, 17, 18),
                new WindowGeometry(2, 2, 2, 2, 1, 0), cols);
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 14, 15, 16, 17, 18}, cpu.read(cols), 0f);
    }

    @Test
    void transposeEachTurnsAProductsRowsIntoChannelsImageByImage() {
        // Two images, 3 pixels × 2 channels each, as a product writes them (a row per pixel), into NCHW:
        // image 0's channel 0 is its first column (1, 3, 5), channel 1 its second (2, 4, 6).
        Tensor rows = matrix(cpu, 6, 2, 1, 2, 3, 4, 5, 6, 11, 12, 13, 14, 15, 16);
        Tensor images = cpu.allocate(2, 6);
        cpu.transposeEach(rows, 2, 3, 2, images);
        assertArrayEquals(new float[]{1, 3, 5, 2, 4, 6, 11, 13, 15, 12, 14, 16}, cpu.read(images), 0f);
        Tensor back = cpu.allocate(6, 2);
        cpu.transposeEach(images, 2, 2, 3, back);
        assertArrayEquals(cpu.read(rows), cpu.read(back), 0f);
    }

    @Test
    void col2imAddsUpTheWindowsThatOverlapAPixel() {
        // Every window element 1: each pixel gets the number of 2×2 windows that hold it.
        Tensor dx = cpu.allocate(1, 9);
        cpu.col2im(matrix(cpu, 4, 4, ones(16)), K2, dx);
        assertArrayEquals(new float[]{1, 2, 1, 2, 4, 2, 1, 2, 1}, cpu.read(dx), 0f);
    }

    @Test
    void col2imLeavesThePixelsNoWindowReachesAtZero() {
        // 2×2 windows with stride 2 on 3×3: (3 − 2)/2 + 1 = 1 window; the last row and column are dropped.
        Tensor dx = matrix(cpu, 1, 9, IMAGE);
        cpu.col2im(matrix(cpu, 1, 4, 1, 2, 3, 4), new WindowGeometry(1, 3, 3, 2, 2, 0), dx);
        assertArrayEquals(new float[]{1, 2, 0, 3, 4, 0, 0, 0, 0}, cpu.read(dx), 0f);
    }

    // Two output channels over K2's windows: w0 = [1 2; 3 4] with bias ½, w1 = [0 0; 0 1] (the window's
    // bottom-right pixel) with bias −1.
    private static final float[] WEIGHTS = {1, 2, 3, 4, 0, 0, 0, 1};
    private static final float[] BIAS = {0.5f, -1};

    @Test
    void aConvolutionIsTheDenseForwardOverTheWindowsTransposedPerImage() {
        // Channel 0: 1+4+12+20, 2+6+15+24, 4+10+21+32, 5+12+24+36 = 37, 47, 67, 77, plus ½.
        // Channel 1: the bottom-right pixels 5, 6, 8, 9, minus 1.
        Tensor cols = cpu.allocate(4, 4), perWindow = cpu.allocate(4, 2), y = cpu.allocate(1, 8);
        cpu.im2col(matrix(cpu, 1, 9, IMAGE), K2, cols);
        cpu.denseForward(cols, matrix(cpu, 2, 4, WEIGHTS), matrix(cpu, 1, 2, BIAS), Activation.IDENTITY, perWindow);
        cpu.transpose(perWindow, y.reshape(2, 4));
        assertArrayEquals(new float[]{37.5f, 47.5f, 67.5f, 77.5f, 4, 5, 7, 8}, cpu.read(y), 0f);
    }

    @Test
    void aConvolutionsGradientsAreTheDenseBackwardOverTheWindowsAndCol2im() {
        // dy: channel 0 all ones, channel 1 only its first window; per window (transposed) [1 1; 1 0; 1 0; 1 0].
        Tensor cols = cpu.allocate(4, 4), dyPerWindow = cpu.allocate(4, 2);
        cpu.im2col(matrix(cpu, 1, 9, IMAGE), K2, cols);
        cpu.transpose(matrix(cpu, 2, 4, 1, 1, 1, 1, 1, 0, 0, 0), dyPerWindow);
        // dW = dyᵀ·windows: channel 0 the sum of the four windows, channel 1 the first; db the channels' sums.
        Tensor dw = cpu.allocate(2, 4), db = cpu.allocate(1, 2);
        cpu.denseBackwardWeights(dyPerWindow, cols, dw, db);
        assertArrayEquals(new float[]{12, 16, 24, 28, 1, 2, 4, 5}, cpu.read(dw), 0f);
        assertArrayEquals(new float[]{4, 1}, cpu.read(db), 0f);
        // The windows' gradient dy·W: w0 in every window, plus w1 in the first; col2im adds them up per pixel
        // (the centre: 4 + 3 + 2 + 1 of w0 and 1 of w1).
        Tensor dWindows = cpu.allocate(4, 4), dx = cpu.allocate(1, 9);
        cpu.matmul(dyPerWindow, false, matrix(cpu, 2, 4, WEIGHTS), false, dWindows);
        assertArrayEquals(new float[]{1, 2, 3, 5, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4}, cpu.read(dWindows), 0f);
        cpu.col2im(dWindows, K2, dx);
        assertArrayEquals(new float[]{1, 3, 2, 4, 11, 6, 3, 7, 4}, cpu.read(dx), 0f);
    }

    private static float[] ones(int n) {
        float[] o = new float[n];
        java.util.Arrays.fill(o, 1);
        return o;
    }
}
