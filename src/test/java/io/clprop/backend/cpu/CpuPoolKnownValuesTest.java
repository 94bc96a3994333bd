package io.clprop.backend.cpu;

import io.clprop.backend.Activation;
import io.clprop.backend.Tensor;
import io.clprop.backend.WindowGeometry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.clprop.backend.TestTensors.matrix;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The max-pool on the CPU twin against maxima, indices and gradients chosen by hand, ties included (the first
 * maximum in row-major order wins). Values are copied or summed small integers: exact (delta 0).
 */
class CpuPoolKnownValuesTest {
    private final CpuBackend cpu = new CpuBackend();

    @AfterEach
    void close() {
        cpu.close();
    }

    //  1  3 |  2  2     window (0,0): 3 at 1 and at 4, the first wins: 1
    //  3  0 |  1  2     window (0,1): 2 at 2, 3 and 7: 2
    // ------+------
    // −1 −2 |  5  4     window (1,0): −1 at 8 and at 13: 8
    // −3 −1 |  4  5     window (1,1): 5 at 10 and at 15: 10
    private static final float[] TIES = {1, 3, 2, 2, 3, 0, 1, 2, -1, -2, 5, 4, -3, -1, 4, 5};
    private static final WindowGeometry TWO_BY_TWO = new WindowGeometry(1, 4, 4, 2, 2, 0);

    @Test
    void maxPoolForwardKeepsTheFirstMaximumOfATie() {
        Tensor out = cpu.allocate(1, 4), argmax = cpu.allocateInt(4);
        cpu.maxPoolForward(matrix(cpu, 1, 16, TIES), TWO_BY_TWO, out, argmax);
        assertArrayEquals(new float[]{3, 2, -1, 5}, cpu.read(out), 0f);
        assertArrayEquals(new int[]{1, 2, 8, 10}, cpu.readInt(argmax));
    }

    @Test
    void maxPoolBackwardSendsEachGradientToItsWindowsArgmax() {
        Tensor out = cpu.allocate(1, 4), argmax = cpu.allocateInt(4), dx = matrix(cpu, 1, 16, TIES);
        cpu.maxPoolForward(matrix(cpu, 1, 16, TIES), TWO_BY_TWO, out, argmax);
        cpu.maxPoolBackward(matrix(cpu, 1, 4, 10, 20, 30, 40), argmax, TWO_BY_TWO, dx);
        assertArrayEquals(new float[]{0, 10, 20, 0, 0, 0, 0, 0, 30, 0, 40, 0, 0, 0, 0, 0}, cpu.read(dx), 0f);
    }

    @Test
    void theFusedActivationDerivativeIsTakenAtEachChosenPixel() {
        // The previous layer's output a = TIES under leaky ReLU: f′ is 1 where a > 0 (pixels 1, 2, 10) and
        // 0.01 at pixel 8 (a = −1), so window (1,0)'s gradient 30 arrives as 0.3.
        Tensor out = cpu.allocate(1, 4), argmax = cpu.allocateInt(4), dx = cpu.allocate(1, 16);
        cpu.maxPoolForward(matrix(cpu, 1, 16, TIES), TWO_BY_TWO, out, argmax);
        cpu.maxPoolBackward(matrix(cpu, 1, 4, 10, 20, 30, 40), argmax, TWO_BY_TWO, Activation.LEAKY_RELU,
                matrix(cpu, 1, 16, TIES), dx);
        assertArrayEquals(new float[]{0, 10, 20, 0, 0, 0, 0, 0, 0.3f, 0, 40, 0, 0, 0, 0, 0}, cpu.read(dx), 0f);
    }

    @Test
    void theFusedDerivativeEqualsTheTwoOperationsBitForBit() {
        // Overlapping 3×3 stride-1 windows with padding (sums of up to nine gradients) over random values:
        // the fused pass must round as maxPoolBackward then activationBackward do, for every activation.
        WindowGeometry g = new WindowGeometry(2, 5, 6, 3, 1, 1);
        java.util.Random random = new java.util.Random(7);
        float[] x = new float[2 * g.imageSize()], grads = new float[2 * g.pooledSize()];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextInt(5);
        }
        for (int i = 0; i < grads.length; i++) {
            grads[i] = (float) random.nextGaussian();
        }
        Tensor out = cpu.allocate(2, g.pooledSize()), argmax = cpu.allocateInt(2 * g.pooledSize());
        cpu.maxPoolForward(matrix(cpu, 2, g.imageSize(), x), g, out, argmax);
        Tensor dOut = matrix(cpu, 2, g.pooledSize(), grads);
        for (Activation f : Activation.values()) {
            float[] a = new float[x.length];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) f.apply(random.nextGaussian());
            }
            Tensor values = matrix(cpu, 2, g.imageSize(), a);
            Tensor fused = cpu.allocate(2, g.imageSize()), separate = cpu.allocate(2, g.imageSize());
            cpu.maxPoolBackward(dOut, argmax, g, f, values, fused);
            cpu.maxPoolBackward(dOut, argmax, g, separate);
            cpu.activationBackward(f, values, separate, separate);
            assertArrayEquals(cpu.read(separate), cpu.read(fused), 0f, f.specName());
        }
    }

    @Test
    void overlappingWindowsThatChooseTheSamePixelAddUpTheirGradients() {
        // 2×2 windows with stride 1 over a 3×3 whose centre is the largest: all four choose index 4.
        WindowGeometry g = new WindowGeometry(1, 3, 3, 2, 1, 0);
        Tensor out = cpu.allocate(1, 4), argmax = cpu.allocateInt(4), dx = cpu.allocate(1, 9);
        cpu.maxPoolForward(matrix(cpu, 1, 9, 0, 0, 0, 0, 9, 0, 0, 0, 0), g, out, argmax);
        assertArrayEquals(new int[]{4, 4, 4, 4}, cpu.readInt(argmax));
        cpu.maxPoolBackward(matrix(cpu, 1, 4, 1, 2, 3, 4), argmax, g, dx);
        assertArrayEquals(new float[]{0, 0, 0, 0, 10, 0, 0, 0, 0}, cpu.read(dx), 0f);
    }

    @Test
    void thePaddingNeverWinsEvenOverNegativeValues() {
        // 2×2 windows, stride 2, padding 1 over [[−1, −2], [−3, −4]]: each window holds one pixel of the image
        // and three of the border; a zero border would win every one.
        Tensor out = cpu.allocate(1, 4), argmax = cpu.allocateInt(4);
        cpu.maxPoolForward(matrix(cpu, 1, 4, -1, -2, -3, -4), new WindowGeometry(1, 2, 2, 2, 2, 1), out, argmax);
        assertArrayEquals(new float[]{-1, -2, -3, -4}, cpu.read(out), 0f);
        assertArrayEquals(new int[]{0, 1, 2, 3}, cpu.readInt(argmax));
    }

    @Test
    void indicesAreWithinTheChannelOfTheImage() {
        // Two images of two 2×2 channels, one window each: the index is h·W + w in its own channel.
        Tensor out = cpu.allocate(2, 2), argmax = cpu.allocateInt(4);
        cpu.maxPoolForward(matrix(cpu, 2, 8, 9, 0, 0, 0, 0, 0, 0, 9, 0, 9, 0, 0, 0, 0, 9, 0),
                new WindowGeometry(2, 2, 2, 2, 2, 0), out, argmax);
        assertArrayEquals(new float[]{9, 9, 9, 9}, cpu.read(out), 0f);
        assertArrayEquals(new int[]{0, 3, 1, 2}, cpu.readInt(argmax));
    }
}
