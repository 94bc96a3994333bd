package io.clprop.backend.cpu;

import io.clprop.backend.Tensor;
import io.clprop.backend.WindowGeometry;
import io.clprop.verify.KernelCrossCheck;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * The backward operations of the windows are the adjoints of their forward ones, on every geometry of the
 * kernel cross-check (multi-channel, strided, padded, with remainders — beyond what the hand-worked cases
 * reach): ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩, and with the indices of a forward pass P,
 * ⟨P(x), g⟩ = ⟨x, Pᵀ(g)⟩ (the max-pool is a selection of x's values, linear once its indices are fixed).
 * A twin whose forward and backward disagree about where a window's value comes from fails this even where
 * both agree with the kernels. In double precision, so both sides are the same sum in another order:
 * compared within 1e-12 of the sum of the terms' magnitudes.
 */
class CpuWindowAdjointTest {
    private final Random random = new Random(13);

    @TestFactory
    Stream<DynamicTest> col2imIsTheAdjointOfIm2col() {
        return Arrays.stream(KernelCrossCheck.CONV_SHAPES).map(s -> dynamicTest(Arrays.toString(s), () -> {
            WindowGeometry g = geometry(s);
            int batch = s[0], windows = batch * g.outputPixels();
            try (CpuBackend cpu = new CpuBackend(CpuBackend.Precision.DOUBLE)) {
                double[] x = uniform(batch * g.imageSize()), c = uniform(windows * g.patchSize());
                Tensor X = doubles(cpu, x, batch, g.imageSize()), C = doubles(cpu, c, windows, g.patchSize());
                Tensor cols = cpu.allocate(windows, g.patchSize()), dx = cpu.allocate(batch, g.imageSize());
                cpu.im2col(X, g, cols);
                cpu.col2im(C, g, dx);
                assertSameProduct(cpu.readDouble(cols), c, x, cpu.readDouble(dx));
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> maxPoolBackwardIsTheAdjointOfItsSelection() {
        return Arrays.stream(KernelCrossCheck.POOL_SHAPES).map(s -> dynamicTest(Arrays.toString(s), () -> {
            WindowGeometry g = geometry(s);
            int batch = s[0];
            try (CpuBackend cpu = new CpuBackend(CpuBackend.Precision.DOUBLE)) {
                double[] x = uniform(batch * g.imageSize()), dOut = uniform(batch * g.pooledSize());
                Tensor X = doubles(cpu, x, batch, g.imageSize()), G = doubles(cpu, dOut, batch, g.pooledSize());
                Tensor out = cpu.allocate(batch, g.pooledSize()), argmax = cpu.allocateInt(batch * g.pooledSize());
                Tensor dx = cpu.allocate(batch, g.imageSize());
                cpu.maxPoolForward(X, g, out, argmax);
                cpu.maxPoolBackward(G, argmax, g, dx);
                assertSameProduct(cpu.readDouble(out), dOut, x, cpu.readDouble(dx));
            }
        }));
    }

    /** ⟨a, b⟩ = ⟨c, d⟩ within 1e-12 of Σ|a||b|; the products must not vanish, or the check says nothing. */
    private static void assertSameProduct(double[] a, double[] b, double[] c, double[] d) {
        double left = 0, right = 0, scale = 0;
        for (int i = 0; i < a.length; i++) {
            left += a[i] * b[i];
            scale += Math.abs(a[i] * b[i]);
        }
        for (int i = 0; i < c.length; i++) {
            right += c[i] * d[i];
        }
        assertEquals(left, right, 1e-12 * scale);
        assertTrue(scale > 0, "no terms");
    }

    private static WindowGeometry geometry(int[] s) {
        return new WindowGeometry(s[1], s[2], s[3], s[4], s[5], s[6]);
    }

    private double[] uniform(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 2 * random.nextDouble() - 1;
        }
        return v;
    }

    private static Tensor doubles(CpuBackend cpu, double[] v, int rows, int cols) {
        Tensor t = cpu.allocate(rows, cols);
        cpu.writeDouble(t, v);
        return t;
    }
}
