package io.clprop.backend.cpu;

import io.clprop.backend.Activation;
import io.clprop.backend.Backend;
import io.clprop.backend.DropoutMask;
import io.clprop.backend.ShapeRejectionContract;
import io.clprop.backend.Tensor;
import io.clprop.backend.TestTensors;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

import java.util.stream.Stream;

import static org.junit.jupiter.api.DynamicTest.dynamicTest;

/**
 * The shape-rejection cases on the CPU twin, and the element-type checks only the twin makes: the OpenCL
 * backend checks the type where {@code Shapes} does (the products' operands, labels, indices, argmax's
 * output), while the twin's access to its arrays refuses an int tensor in any float place.
 */
class CpuShapeRejectionTest extends ShapeRejectionContract {
    @Override
    protected Backend open() {
        return new CpuBackend();
    }

    /** An int tensor of the given shape (the place of a float one). */
    private Tensor intMatrix(int rows, int cols) {
        return ints(rows * cols).reshape(rows, cols);
    }

    private DynamicTest rejects(String place, Executable op, Tensor... outputs) {
        return dynamicTest(place, () -> assertRejectedUnchanged(op, outputs));
    }

    @TestFactory
    Stream<DynamicTest> twinRejectsAnIntTensorWhereAFloatOneIsExpected() {
        Backend b = backend();
        DropoutMask mask = new DropoutMask(1, 2, 1 << 31, 2f);
        Tensor z = floats(2, 3), out = intMatrix(2, 3), fwd = floats(2, 4), dzPrev = floats(2, 3), dZ = floats(2, 3);
        Tensor db = intMatrix(1, 3), tr = intMatrix(3, 2), drop = intMatrix(2, 3), rowLoss = floats(2, 1);
        Tensor grad = floats(2, 3), probs = intMatrix(2, 3), mean = intMatrix(1, 2), flag = intMatrix(1, 2);
        Tensor params = floats(1, 4), velocity = floats(1, 4), m = floats(1, 4), s = intMatrix(1, 4);
        Tensor argmax = ints(2);
        Tensor withNaN = TestTensors.matrix(b, 1, 2, 1, Float.NaN);
        return Stream.of(
                rejects("addBias bias", () -> b.addBias(z, intMatrix(1, 3)), z),
                rejects("activate out", () -> b.activate(Activation.RELU, floats(2, 3), out), out),
                rejects("denseForward bias", () -> b.denseForward(floats(2, 3), floats(4, 3), intMatrix(1, 4),
                        Activation.RELU, fwd), fwd),
                rejects("denseBackwardInput aPrev", () -> b.denseBackwardInput(floats(2, 4), floats(4, 3),
                        Activation.TANH, intMatrix(2, 3), dzPrev), dzPrev),
                rejects("activationBackward dA", () -> b.activationBackward(Activation.TANH, floats(2, 3),
                        intMatrix(2, 3), dZ), dZ),
                rejects("biasGrad db", () -> b.biasGrad(floats(2, 3), db), db),
                rejects("transpose dst", () -> b.transpose(floats(2, 3), tr), tr),
                rejects("dropout out", () -> b.dropout(floats(2, 3), drop, mask, 0), drop),
                rejects("mseLoss target", () -> b.mseLoss(floats(2, 3), intMatrix(2, 3), rowLoss, grad), rowLoss, grad),
                rejects("softmaxRows probs", () -> b.softmaxRows(floats(2, 3), probs), probs),
                rejects("meanInto dst", () -> b.meanInto(floats(2, 1), mean, 0), mean),
                rejects("flagNonFinite flag", () -> b.flagNonFinite(withNaN, flag, 0), flag),
                rejects("sgdUpdate grads", () -> b.sgdUpdate(params, intMatrix(1, 4), 0.1f, 0), params),
                rejects("momentumUpdate grads", () -> b.momentumUpdate(params, intMatrix(1, 4), velocity, 0.1f, 0.9f,
                        0, false), params, velocity),
                rejects("adamUpdate s", () -> b.adamUpdate(params, floats(1, 4), m, s, 1e-3f, 0.9f, 0.999f, 1e-8f, 0,
                        0.1f, 0.001f), params, m, s),
                rejects("argmaxRows x", () -> b.argmaxRows(intMatrix(2, 3), argmax), argmax));
    }
}
