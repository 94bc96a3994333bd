package io.clprop.nn;

import io.clprop.backend.Activation;

import io.clprop.TestDevices;
import io.clprop.backend.Backend;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.backend.TransferStats;
import io.clprop.util.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sizes past 32 bits: a spec counts its parameters exactly, its int offsets never wrap, and a network whose
 * buffers no backend can hold is refused with its true sizes before anything is allocated.
 */
class NetworkSizesTest {
    /** Σ (in + 1)·out in BigInteger, independently of NetworkSpec's long arithmetic. */
    static BigInteger parameters(int inputs, int... widths) {
        BigInteger sum = BigInteger.ZERO;
        long in = inputs;
        for (int w : widths) {
            sum = sum.add(BigInteger.valueOf(in + 1).multiply(BigInteger.valueOf(w)));
            in = w;
        }
        return sum;
    }

    private static NetworkSpec mlp(int inputs, String hidden, int outputs) {
        int[] h = Arrays.stream(hidden.split(",")).mapToInt(Integer::parseInt).toArray();
        return NetworkSpec.mlp(inputs, h, Activation.RELU, outputs, LossKind.SOFTMAX_CE);
    }

    private static int[] widths(NetworkSpec spec) {
        return spec.layers().stream().mapToInt(LayerSpec::units).toArray();
    }

    /** Widths whose count passes 2^31 (and, for 65536³, 2^33: an int wraps it to a small positive number). */
    @ParameterizedTest
    @ValueSource(strings = {"100000,100000", "2000000000", "65536,65536,65536", "2147483647,2147483647"})
    void parameterCountIsExactPast32Bits(String hidden) {
        NetworkSpec spec = mlp(784, hidden, 10);
        assertEquals(parameters(784, widths(spec)), BigInteger.valueOf(spec.parameterCount()));
    }

    @Test
    void offsetsAreExactOrRefusedNeverWrapped() {
        NetworkSpec spec = mlp(784, "65536,65536,65536", 10);
        assertEquals(785 * 65536, spec.weightOffset(1));
        // Layer 2's bias sits at 785·65536 + 65536·65536 > 2^32: an int offset must refuse it, not wrap it
        // (an int sum gives 785·65536 again, layer 2's own weights).
        assertThrows(ArithmeticException.class, () -> spec.biasOffset(1));
        assertThrows(ArithmeticException.class, () -> spec.weightOffset(2));
    }

    @Test
    void aNetworkPastALongIsRefused() {
        // Each layer's (in + 1)·out is about 2^62; three of them pass 2^63 − 1.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> mlp(2147483646, "2147483647,2147483647", 2147483647));
        assertTrue(e.getMessage().contains("more than 2^63 − 1 parameters"), e.getMessage());
    }

    private static Backend open(String device) {
        return device.equals("cpu") ? new CpuBackend() : TestDevices.openCl();
    }

    /**
     * A model file's widths: few parameters (1-2200000-2, 8.8 million), but 1000 rows of the wide layer are
     * 2.2·10^9 floats, past what one buffer holds on either backend.
     */
    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl"})
    void activationsPastTheBufferLimitAreRefusedBeforeAllocating(String device) {
        NetworkSpec spec = mlp(1, "2200000", 2);
        try (Backend b = open(device)) {
            int buffers = b.liveBuffers();
            TransferStats before = b.transfers().snapshot();
            UserError e = assertThrows(UserError.class, () -> new Network(b, spec, 1000).close());
            assertTrue(e.getMessage().startsWith("too large: the layer 1 outputs for 1000 rows need one buffer of "
                    + 1000L * 2200000 + " floats (8.2 GiB); "), e.getMessage());
            assertTrue(e.getMessage().endsWith(device.equals("cpu") ? "the CPU path's arrays hold at most 2147483639"
                    : "clprop's OpenCL buffers hold at most 2147483647 elements (32-bit indices)"), e.getMessage());
            assertEquals(buffers, b.liveBuffers(), "nothing allocated");
            assertEquals(0, b.transfers().since(before).hostToDeviceBytes(), "nothing uploaded");
            // The same network with rows that fit is built: the check refuses only what cannot exist.
            try (Network n = new Network(b, spec, 2)) {
                assertEquals(spec.parameterCount(), n.parameterBuffer().size());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "opencl"})
    void parametersPastTheBufferLimitAreRefusedBeforeAllocating(String device) {
        NetworkSpec spec = mlp(784, "65536,65536,65536", 10);
        try (Backend b = open(device)) {
            int buffers = b.liveBuffers();
            UserError e = assertThrows(UserError.class, () -> new Network(b, spec, 1).close());
            assertTrue(e.getMessage().startsWith("too large: the parameters need one buffer of "
                    + parameters(784, widths(spec)) + " floats (32.2 GiB); "), e.getMessage());
            assertEquals(buffers, b.liveBuffers(), "nothing allocated");
        }
    }
}
