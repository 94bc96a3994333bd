package io.clprop.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tensors written from literals and float comparisons in ulps, for tests that state their numbers inline. */
public final class TestTensors {
    private TestTensors() {
    }

    /** A {@code rows × cols} float tensor holding {@code values} (row-major). */
    public static Tensor matrix(Backend b, int rows, int cols, float... values) {
        Tensor t = b.allocate(rows, cols);
        b.write(t, values);
        return t;
    }

    /** An int column vector holding {@code values}. */
    public static Tensor ints(Backend b, int... values) {
        Tensor t = b.allocateInt(values.length);
        b.writeInt(t, values);
        return t;
    }

    /**
     * Each element within {@code ulps} float ulps of the expected value rounded to float: for hand values that
     * are not exactly representable (a transcendental, a third), where the float nearest the true value and
     * the float a double computation rounds to can differ by one ulp when the true value lies near a tie.
     */
    public static void assertWithinUlps(double[] expected, float[] actual, int ulps, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            float e = (float) expected[i];
            float tolerance = ulps * Math.ulp(e);
            assertTrue(Math.abs(actual[i] - e) <= tolerance,
                    what + "[" + i + "]: expected " + e + " ± " + tolerance + ", got " + actual[i]);
        }
    }
}
