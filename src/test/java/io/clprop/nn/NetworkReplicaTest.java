package io.clprop.nn;

import io.clprop.TestDevices;
import io.clprop.backend.Activation;
import io.clprop.backend.Backend;
import io.clprop.backend.DropoutMask;
import io.clprop.backend.Tensor;
import io.clprop.backend.cpu.CpuBackend;
import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One spec builds a network on each of several backends, and replicas set from one parameter array compute
 * the same outputs, loss and gradients for the same batch and dropout mask: what training one network on
 * several devices rests on.
 */
class NetworkReplicaTest {
    private static final int ROWS = 6;
    private static final NetworkSpec SPEC_CE = NetworkSpec.mlp(5, new int[]{7, 4}, Activation.TANH, 3, LossKind.SOFTMAX_CE);
    private static final NetworkSpec SPEC_MSE = NetworkSpec.mlp(5, new int[]{7, 4}, Activation.TANH, 3, LossKind.MSE);

    /** The output layer's activations, the batch loss and the whole gradient buffer after one backward pass. */
    private record Pass(float[] outputs, float loss, float[] gradients) {
    }

    private static Pass pass(Backend b, NetworkSpec spec, float[] params, DropoutMask mask) {
        Random r = new Random(5);
        float[] x = new float[ROWS * spec.inputs()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        int[] labels = new int[ROWS];
        float[] targets = new float[ROWS * spec.outputs()];
        for (int i = 0; i < ROWS; i++) {
            labels[i] = r.nextInt(spec.outputs());
            targets[i * spec.outputs() + labels[i]] = 1;
        }
        try (Network n = new Network(b, spec, ROWS, ROWS)) {
            n.setParameters(params);
            Tensor tx = b.allocate(ROWS, spec.inputs()), ty = b.allocate(ROWS, spec.outputs());
            Tensor tl = b.allocateInt(ROWS), loss = b.allocate(1, 1);
            b.write(tx, x);
            b.write(ty, targets);
            b.writeInt(tl, labels);
            n.computeGradients(tx, tl, ty, loss, 0, mask);
            Pass p = new Pass(b.read(n.layers().get(2).output().values(ROWS)), b.read(loss)[0], n.gradients());
            for (Tensor t : new Tensor[]{tx, ty, tl, loss}) {
                b.free(t);
            }
            return p;
        }
    }

    private static float[] parameters(NetworkSpec spec) {
        return Init.AUTO.parameters(spec, new Well19937c(3));
    }

    private static NetworkSpec spec(LossKind loss) {
        return loss == LossKind.MSE ? SPEC_MSE : SPEC_CE;
    }

    @ParameterizedTest
    @EnumSource(LossKind.class)
    void twoNetworksFromOneSpecOnTwoCpuBackendsAgreeExactly(LossKind loss) {
        NetworkSpec spec = spec(loss);
        DropoutMask mask = new Dropout(0.3, 11).mask(4);
        Pass a, c;
        try (CpuBackend one = new CpuBackend(); CpuBackend two = new CpuBackend()) {
            a = pass(one, spec, parameters(spec), mask);
            c = pass(two, spec, parameters(spec), mask);
        }
        assertArrayEquals(a.outputs(), c.outputs());
        assertEquals(a.loss(), c.loss());
        assertArrayEquals(a.gradients(), c.gradients());
        assertTrue(maxAbs(a.gradients()) > 0, "a backward pass ran");
    }

    @ParameterizedTest
    @EnumSource(LossKind.class)
    void aCpuAndAnOpenClNetworkFromOneSpecAgree(LossKind loss) {
        NetworkSpec spec = spec(loss);
        DropoutMask mask = new Dropout(0.3, 11).mask(4);
        Pass cpu, cl;
        try (CpuBackend b = new CpuBackend()) {
            cpu = pass(b, spec, parameters(spec), mask);
        }
        try (Backend b = TestDevices.openCl()) {
            cl = pass(b, spec, parameters(spec), mask);
        }
        // Float32 on the device against the CPU path's doubles, over products of at most 7 terms.
        assertClose(cpu.outputs(), cl.outputs(), "outputs");
        assertClose(new float[]{cpu.loss()}, new float[]{cl.loss()}, "loss");
        assertClose(cpu.gradients(), cl.gradients(), "gradients");
    }

    private static void assertClose(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        double tolerance = 1e-5 * Math.max(1, maxAbs(expected));
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, what + "[" + i + "]");
        }
    }

    private static double maxAbs(float[] v) {
        double m = 0;
        for (float f : v) {
            m = Math.max(m, Math.abs(f));
        }
        return m;
    }
}
