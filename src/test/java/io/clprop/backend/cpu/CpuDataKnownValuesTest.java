package io.clprop.backend.cpu;

import io.clprop.backend.DropoutMask;
import io.clprop.backend.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static io.clprop.backend.TestTensors.ints;
import static io.clprop.backend.TestTensors.matrix;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Copies, gathers, argmax and dropout on the CPU twin against values stated by hand (dropout against
 * {@link DropoutMask}'s own hash). Everything here moves or scales floats without arithmetic that could
 * round, so every comparison is exact (delta 0).
 */
class CpuDataKnownValuesTest {
    private final CpuBackend cpu = new CpuBackend();

    @AfterEach
    void close() {
        cpu.close();
    }

    @Test
    void copyWritesOnlyTheDestinationView() {
        Tensor dst = matrix(cpu, 3, 3, -1, -1, -1, -1, -1, -1, -1, -1, -1);
        cpu.copy(matrix(cpu, 1, 3, 1, 2, 3), dst.rowRange(1, 1));
        assertArrayEquals(new float[]{-1, -1, -1, 1, 2, 3, -1, -1, -1}, cpu.read(dst), 0f);
    }

    @Test
    void gatherRowsCopiesTheIndexedRowsFromTheStartIndex() {
        // indices [1,2,0,2] from position 1: rows 2, 0, 2 of [[1,2],[3,4],[5,6]] (a row may repeat).
        Tensor dst = cpu.allocate(3, 2);
        cpu.gatherRows(matrix(cpu, 3, 2, 1, 2, 3, 4, 5, 6), ints(cpu, 1, 2, 0, 2), 1, dst);
        assertArrayEquals(new float[]{5, 6, 1, 2, 5, 6}, cpu.read(dst), 0f);
    }

    @Test
    void gatherRowsCopiesIntTensors() {
        // Labels [7,8,9] at indices [2,0]: [9,7].
        Tensor dst = cpu.allocateInt(2);
        cpu.gatherRows(ints(cpu, 7, 8, 9), ints(cpu, 2, 0), 0, dst);
        assertArrayEquals(new int[]{9, 7}, cpu.readInt(dst));
    }

    @Test
    void argmaxRowsTakesTheFirstMaximumOnTies() {
        // [1,3,3] → 1 (tie of 1 and 2), [5,5,5] → 0, [−1,−2,−0.5] → 2, [2,1,0] → 0.
        Tensor out = cpu.allocateInt(4);
        cpu.argmaxRows(matrix(cpu, 4, 3, 1, 3, 3, 5, 5, 5, -1, -2, -0.5f, 2, 1, 0), out);
        assertArrayEquals(new int[]{1, 0, 2, 0}, cpu.readInt(out));
    }

    // P = ½: threshold round(½·2³²) = 2³¹, scale 1/(1−½) = 2, so a kept value is exactly doubled.
    private static final DropoutMask HALF = new DropoutMask(12345, 7, 1 << 31, 2f);
    private static final int LAYER = 1;

    @Test
    void dropoutKeepsTheMaskedElementsScaledAndZeroesTheRest() {
        float[] a = new float[16];
        for (int i = 0; i < a.length; i++) {
            a[i] = i + 1;
        }
        Tensor out = cpu.allocate(4, 4);
        cpu.dropout(matrix(cpu, 4, 4, a), out, HALF, LAYER);
        float[] got = cpu.read(out);
        int kept = 0;
        for (int i = 0; i < a.length; i++) {
            boolean keep = HALF.keep(LAYER, i);
            kept += keep ? 1 : 0;
            assertEquals(keep ? 2 * a[i] : 0, got[i], 0f, "element " + i + (keep ? " kept" : " dropped"));
        }
        // The case must exercise both branches (with P = ½, 16 elements all on one side has odds 2⁻¹⁵).
        assertTrue(kept > 0 && kept < a.length, kept + " of 16 kept");
    }

    @Test
    void aShareOfASplitBatchDrawsTheWholeBatchsMaskForItsRows() {
        // Rows 3..6 of a 7 × 5 batch, given as their own 4 × 5 tensor with the mask from row 3: the same values
        // as the whole batch's rows 3..6 (the split that several devices train on, see DropoutMask.firstRow).
        float[] a = new float[35];
        for (int i = 0; i < a.length; i++) {
            a[i] = i + 1;
        }
        Tensor whole = cpu.allocate(7, 5);
        cpu.dropout(matrix(cpu, 7, 5, a), whole, HALF, LAYER);
        Tensor share = cpu.allocate(4, 5);
        cpu.dropout(matrix(cpu, 4, 5, java.util.Arrays.copyOfRange(a, 15, 35)), share, HALF.fromRow(3), LAYER);
        float[] w = cpu.read(whole);
        assertArrayEquals(java.util.Arrays.copyOfRange(w, 15, 35), cpu.read(share), 0f);
        // and not the mask of the batch's first rows (which the share would draw without its first row)
        Tensor unshifted = cpu.allocate(4, 5);
        cpu.dropout(matrix(cpu, 4, 5, java.util.Arrays.copyOfRange(a, 15, 35)), unshifted, HALF, LAYER);
        assertFalse(java.util.Arrays.equals(cpu.read(share), cpu.read(unshifted)));
    }

    @Test
    void dropoutWithANonDyadicScaleMultipliesByTheFloatScaleOnce() {
        // P = 0.3: scale = 1/0.7 as a float (1.4285715); a·scale of a small integer is exact in double and
        // rounded once to float.
        DropoutMask mask = new DropoutMask(99, 3, (int) Math.round(0.7 * 0x1p32), (float) (1 / 0.7));
        float[] a = {1, 2, 3, 4, 5, 6, 7, 8};
        Tensor out = cpu.allocate(2, 4);
        cpu.dropout(matrix(cpu, 2, 4, a), out, mask, 0);
        float[] got = cpu.read(out);
        int kept = 0;
        for (int i = 0; i < a.length; i++) {
            boolean keep = mask.keep(0, i);
            kept += keep ? 1 : 0;
            assertEquals(keep ? (float) (a[i] * (double) mask.scale()) : 0, got[i], 0f, "element " + i);
        }
        assertTrue(kept > 0 && kept < a.length, kept + " of 8 kept");
    }

    @Test
    void dropoutBackwardRecomputesTheForwardMask() {
        // Forward of ones marks the kept elements (2) and the dropped (0); backward of dOut = −(i+1), in place,
        // must keep the same elements, doubled.
        float[] ones = new float[16];
        float[] dOut = new float[16];
        for (int i = 0; i < 16; i++) {
            ones[i] = 1;
            dOut[i] = -(i + 1);
        }
        Tensor forward = cpu.allocate(4, 4);
        cpu.dropout(matrix(cpu, 4, 4, ones), forward, HALF, LAYER);
        Tensor grad = matrix(cpu, 4, 4, dOut);
        cpu.dropoutBackward(grad, HALF, LAYER, grad);
        float[] f = cpu.read(forward), b = cpu.read(grad);
        for (int i = 0; i < 16; i++) {
            assertEquals(f[i] == 2 ? 2 * dOut[i] : 0, b[i], 0f, "element " + i + " (forward " + f[i] + ")");
        }
    }
}
