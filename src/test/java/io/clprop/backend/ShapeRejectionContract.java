package io.clprop.backend;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.function.Executable;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Every operation of {@link Backend} given shapes that do not agree must throw ({@link Shapes}'
 * IllegalArgumentException, or IndexOutOfBoundsException for an index or start outside a tensor) before it
 * writes anything: each case asserts that its outputs still hold what they held. One subclass per backend runs
 * the same cases, so the twin and the kernels refuse the same misuse.
 *
 * <p>Outputs are filled with 100, 101, … first, so that a write of anything (zeros included) would show.
 * Where a write outside a view would land in a neighbour, the output is a view into a larger buffer and the
 * whole buffer is compared.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ShapeRejectionContract {
    private Backend backend;

    /** The backend under test, opened once for the class. */
    protected abstract Backend open();

    @BeforeAll
    void openBackend() {
        backend = open();
    }

    @AfterAll
    void closeBackend() {
        if (backend != null) {
            backend.close();
        }
    }

    protected Backend backend() {
        return backend;
    }

    /** A float tensor holding 100, 101, …: inputs and outputs alike, so any write shows. */
    protected Tensor floats(int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = 100 + i;
        }
        return TestTensors.matrix(backend, rows, cols, v);
    }

    /** An int column vector holding 0, 1, … (valid row indices and labels for the shapes used here). */
    protected Tensor ints(int length) {
        int[] v = new int[length];
        for (int i = 0; i < length; i++) {
            v[i] = i;
        }
        return TestTensors.ints(backend, v);
    }

    /** Runs {@code op}, expects {@code type}, and asserts that each of {@code outputs} holds what it held. */
    protected void assertRejectedUnchanged(Class<? extends RuntimeException> type, Executable op, Tensor... outputs) {
        List<Object> before = new ArrayList<>();
        for (Tensor t : outputs) {
            before.add(contents(t));
        }
        assertThrows(type, op);
        for (int i = 0; i < outputs.length; i++) {
            Object now = contents(outputs[i]);
            if (now instanceof float[] f) {
                assertArrayEquals((float[]) before.get(i), f, 0f, "output " + i + " " + outputs[i] + " was written");
            } else {
                assertArrayEquals((int[]) before.get(i), (int[]) now, "output " + i + " " + outputs[i] + " was written");
            }
        }
    }

    protected void assertRejectedUnchanged(Executable op, Tensor... outputs) {
        assertRejectedUnchanged(IllegalArgumentException.class, op, outputs);
    }

    private Object contents(Tensor t) {
        return t.dtype() == Tensor.DType.INT32 ? backend.readInt(t) : backend.read(t);
    }

    // ---- memory ---------------------------------------------------------------------------------------

    @Test
    void writeRejectsAnArrayOfTheWrongLength() {
        Tensor t = floats(2, 2);
        assertRejectedUnchanged(() -> backend.write(t, new float[3]), t);
    }

    @Test
    void writeIntRejectsAnArrayOfTheWrongLength() {
        Tensor t = ints(4);
        assertRejectedUnchanged(() -> backend.writeInt(t, new int[5]), t);
    }

    // ---- dense layer: forward -------------------------------------------------------------------------

    @Test
    void matmulRejectsAWrongInnerDimension() {
        // op(a) 2×3 against op(b) 2×2: K 3 ≠ 2.
        Tensor c = floats(2, 2);
        assertRejectedUnchanged(() -> backend.matmul(floats(2, 3), false, floats(2, 2), false, c), c);
    }

    @Test
    void matmulTransposedBRejectsAWrongInnerDimension() {
        // op(b) = bᵀ of a 2×2 is 2×2; a is 2×3.
        Tensor c = floats(2, 2);
        assertRejectedUnchanged(() -> backend.matmul(floats(2, 3), false, floats(2, 2), true, c), c);
    }

    @Test
    void matmulTransposedARejectsAWrongInnerDimension() {
        // op(a) = aᵀ of a 2×3 is 3×2 (K = 2); b is 3×2 (K = 3).
        Tensor c = floats(3, 2);
        assertRejectedUnchanged(() -> backend.matmul(floats(2, 3), true, floats(3, 2), false, c), c);
    }

    @Test
    void matmulRejectsAnOutputOfTheWrongShape() {
        // 2×3 · 3×2 is 2×2: a 2×3 output and the 4×1 of the same size are refused.
        Tensor wide = floats(2, 3), column = floats(4, 1);
        assertRejectedUnchanged(() -> backend.matmul(floats(2, 3), false, floats(3, 2), false, wide), wide);
        assertRejectedUnchanged(() -> backend.matmul(floats(2, 3), false, floats(3, 2), false, column), column);
    }

    @Test
    void matmulRejectsAnIntOperand() {
        Tensor c = floats(2, 2);
        assertRejectedUnchanged(() -> backend.matmul(ints(6).reshape(2, 3), false, floats(3, 2), false, c), c);
    }

    @Test
    void matmulRejectsAnIntOutput() {
        Tensor c = ints(4).reshape(2, 2);
        assertRejectedUnchanged(() -> backend.matmul(floats(2, 3), false, floats(3, 2), false, c), c);
    }

    @Test
    void transposeRejectsADestinationOfTheSameShape() {
        Tensor dst = floats(2, 3);
        assertRejectedUnchanged(() -> backend.transpose(floats(2, 3), dst), dst);
    }

    @Test
    void transposeEachRejectsSizesThatAreNotItsBlocks() {
        Tensor dst = floats(3, 4);
        assertRejectedUnchanged(() -> backend.transposeEach(floats(3, 4), 2, 3, 3, dst), dst);
        assertRejectedUnchanged(() -> backend.transposeEach(floats(2, 5), 2, 2, 3, dst), dst);
        assertRejectedUnchanged(() -> backend.transposeEach(floats(3, 4), 0, 3, 4, dst), dst);
    }

    @Test
    void addBiasRejectsABiasOfTheWrongWidth() {
        Tensor z = floats(2, 3);
        assertRejectedUnchanged(() -> backend.addBias(z, floats(1, 2)), z);
        assertRejectedUnchanged(() -> backend.addBias(z, floats(1, 4)), z);
    }

    @Test
    void activateRejectsAnOutputOfAnotherShape() {
        // 3×2 has the size of 2×3 but not its shape.
        Tensor out = floats(3, 2);
        assertRejectedUnchanged(() -> backend.activate(Activation.TANH, floats(2, 3), out), out);
    }

    @Test
    void denseForwardRejectsWeightsOfTheWrongInputWidth() {
        // x is 2×3, w (out × in) 4×2.
        Tensor out = floats(2, 4);
        assertRejectedUnchanged(() -> backend.denseForward(floats(2, 3), floats(4, 2), floats(1, 4),
                Activation.RELU, out), out);
    }

    @Test
    void denseForwardRejectsAnOutputOfTheWrongShape() {
        Tensor out = floats(2, 3);
        assertRejectedUnchanged(() -> backend.denseForward(floats(2, 3), floats(4, 3), floats(1, 4),
                Activation.RELU, out), out);
    }

    @Test
    void denseForwardRejectsABiasOfTheWrongWidth() {
        Tensor out = floats(2, 4);
        assertRejectedUnchanged(() -> backend.denseForward(floats(2, 3), floats(4, 3), floats(1, 3),
                Activation.RELU, out), out);
    }

    @Test
    void denseForwardRejectsAnIntInput() {
        Tensor out = floats(2, 4);
        assertRejectedUnchanged(() -> backend.denseForward(ints(6).reshape(2, 3), floats(4, 3), floats(1, 4),
                Activation.RELU, out), out);
    }

    // ---- dense layer: backward ------------------------------------------------------------------------

    @Test
    void denseBackwardInputRejectsWeightsOfTheWrongOutputWidth() {
        // dz is 2×4, so w must have 4 rows; it has 3.
        Tensor dzPrev = floats(2, 3);
        assertRejectedUnchanged(() -> backend.denseBackwardInput(floats(2, 4), floats(3, 3), Activation.TANH,
                floats(2, 3), dzPrev), dzPrev);
    }

    @Test
    void denseBackwardInputRejectsAPreviousOutputOfAnotherShape() {
        Tensor dzPrev = floats(2, 3);
        assertRejectedUnchanged(() -> backend.denseBackwardInput(floats(2, 4), floats(4, 3), Activation.TANH,
                floats(3, 2), dzPrev), dzPrev);
    }

    @Test
    void denseBackwardInputRejectsAGradientOfTheWrongShape() {
        Tensor dzPrev = floats(2, 4);
        assertRejectedUnchanged(() -> backend.denseBackwardInput(floats(2, 4), floats(4, 3), Activation.TANH,
                floats(2, 4), dzPrev), dzPrev);
    }

    @Test
    void denseBackwardWeightsRejectsInputsOfDifferentBatchSizes() {
        Tensor dw = floats(4, 3), db = floats(1, 4);
        assertRejectedUnchanged(() -> backend.denseBackwardWeights(floats(2, 4), floats(3, 3), dw, db), dw, db);
    }

    @Test
    void denseBackwardWeightsRejectsAWeightGradientOfTheWrongShape() {
        // dzᵀ·x of dz 2×4 and x 2×3 is 4×3; 3×4 is refused.
        Tensor dw = floats(3, 4), db = floats(1, 4);
        assertRejectedUnchanged(() -> backend.denseBackwardWeights(floats(2, 4), floats(2, 3), dw, db), dw, db);
    }

    @Test
    void denseBackwardWeightsRejectsABiasGradientOfTheWrongWidthBeforeWritingTheWeightGradient() {
        Tensor dw = floats(4, 3), db = floats(1, 3);
        assertRejectedUnchanged(() -> backend.denseBackwardWeights(floats(2, 4), floats(2, 3), dw, db), dw, db);
    }

    @Test
    void activationBackwardRejectsGradientsOfAnotherShape() {
        Tensor dZ = floats(2, 3), wrongDz = floats(3, 2);
        assertRejectedUnchanged(() -> backend.activationBackward(Activation.SIGMOID, floats(2, 3), floats(3, 2), dZ),
                dZ);
        assertRejectedUnchanged(() -> backend.activationBackward(Activation.SIGMOID, floats(2, 3), floats(2, 3),
                wrongDz), wrongDz);
    }

    @Test
    void biasGradRejectsABiasGradientOfTheWrongWidth() {
        Tensor db = floats(1, 2);
        assertRejectedUnchanged(() -> backend.biasGrad(floats(2, 3), db), db);
    }

    // ---- dropout ----------------------------------------------------------------------------------------

    private static final DropoutMask MASK = new DropoutMask(1, 2, 1 << 31, 2f);

    @Test
    void dropoutRejectsAnOutputOfAnotherShape() {
        Tensor out = floats(3, 2);
        assertRejectedUnchanged(() -> backend.dropout(floats(2, 3), out, MASK, 0), out);
    }

    @Test
    void dropoutBackwardRejectsAGradientOfAnotherShape() {
        Tensor dA = floats(3, 2);
        assertRejectedUnchanged(() -> backend.dropoutBackward(floats(2, 3), MASK, 0, dA), dA);
    }

    // ---- convolution and pooling -------------------------------------------------------------------------

    /** 2 × 3×3 images of one channel in 2×2 windows, stride 1: 4 windows each, 8 rows of 4. */
    private static final WindowGeometry K2 = new WindowGeometry(1, 3, 3, 2, 1, 0);

    @Test
    void im2colRejectsImagesOfAnotherSize() {
        Tensor cols = floats(8, 4);
        assertRejectedUnchanged(() -> backend.im2col(floats(2, 8), K2, cols), cols);
    }

    @Test
    void im2colRejectsPatchesOfTheWrongShape() {
        // 2 images: 8 windows of 4; 4×8 has the size but not the shape, 4×4 holds one image's windows only.
        Tensor transposed = floats(4, 8), oneImage = floats(4, 4);
        assertRejectedUnchanged(() -> backend.im2col(floats(2, 9), K2, transposed), transposed);
        assertRejectedUnchanged(() -> backend.im2col(floats(2, 9), K2, oneImage), oneImage);
    }

    @Test
    void im2colRejectsIntImages() {
        Tensor cols = floats(4, 4);
        assertRejectedUnchanged(() -> backend.im2col(ints(9).reshape(1, 9), K2, cols), cols);
    }

    @Test
    void col2imRejectsAGradientOfAnotherImageSize() {
        Tensor dx = floats(2, 8);
        assertRejectedUnchanged(() -> backend.col2im(floats(8, 4), K2, dx), dx);
    }

    @Test
    void col2imRejectsPatchesOfAnotherBatch() {
        // 3 images' windows into 2 images, and windows 5 wide.
        Tensor dx = floats(2, 9);
        assertRejectedUnchanged(() -> backend.col2im(floats(12, 4), K2, dx), dx);
        assertRejectedUnchanged(() -> backend.col2im(floats(8, 5), K2, dx), dx);
    }

    @Test
    void maxPoolForwardRejectsAnOutputOfAnotherShape() {
        // 2 images, one channel of 2×2 windows: 2 rows of 4; a row of 3, and 1 row of 8.
        Tensor narrow = floats(2, 3), oneRow = floats(1, 8), argmax = ints(8);
        assertRejectedUnchanged(() -> backend.maxPoolForward(floats(2, 9), K2, narrow, argmax), narrow, argmax);
        assertRejectedUnchanged(() -> backend.maxPoolForward(floats(2, 9), K2, oneRow, argmax), oneRow, argmax);
    }

    @Test
    void maxPoolForwardRejectsIndicesOfAnotherSizeOrType() {
        Tensor out = floats(2, 4), fewer = ints(7), asFloats = floats(8, 1);
        assertRejectedUnchanged(() -> backend.maxPoolForward(floats(2, 9), K2, out, fewer), out, fewer);
        assertRejectedUnchanged(() -> backend.maxPoolForward(floats(2, 9), K2, out, asFloats), out, asFloats);
    }

    @Test
    void maxPoolRejectsAPaddingOfMoreThanHalfTheWindow() {
        // 2×2 windows padded by 2 on 3×3: a valid convolution (5 × 5 windows), not a max-pool.
        WindowGeometry padded = new WindowGeometry(1, 3, 3, 2, 1, 2);
        Tensor out = floats(1, 36), argmax = ints(36), dx = floats(1, 9);
        assertRejectedUnchanged(() -> backend.maxPoolForward(floats(1, 9), padded, out, argmax), out, argmax);
        assertRejectedUnchanged(() -> backend.maxPoolBackward(floats(1, 36), ints(36), padded, dx), dx);
    }

    @Test
    void maxPoolBackwardRejectsAGradientOfAnotherShape() {
        Tensor dx = floats(2, 8), oneImage = floats(1, 9);
        assertRejectedUnchanged(() -> backend.maxPoolBackward(floats(2, 4), ints(8), K2, dx), dx);
        assertRejectedUnchanged(() -> backend.maxPoolBackward(floats(2, 4), ints(8), K2, oneImage), oneImage);
    }

    @Test
    void maxPoolBackwardRejectsIndicesOfAnotherSizeOrType() {
        Tensor dx = floats(2, 9);
        assertRejectedUnchanged(() -> backend.maxPoolBackward(floats(2, 4), ints(9), K2, dx), dx);
        assertRejectedUnchanged(() -> backend.maxPoolBackward(floats(2, 4), floats(8, 1), K2, dx), dx);
    }

    // ---- losses ---------------------------------------------------------------------------------------

    @Test
    void mseLossRejectsATargetOfAnotherShape() {
        Tensor rowLoss = floats(2, 1), grad = floats(2, 3);
        assertRejectedUnchanged(() -> backend.mseLoss(floats(2, 3), floats(2, 2), rowLoss, grad), rowLoss, grad);
    }

    @Test
    void mseLossRejectsAGradientOfAnotherShape() {
        Tensor rowLoss = floats(2, 1), grad = floats(3, 2);
        assertRejectedUnchanged(() -> backend.mseLoss(floats(2, 3), floats(2, 3), rowLoss, grad), rowLoss, grad);
    }

    @Test
    void mseLossRejectsARowLossOfTheWrongLength() {
        Tensor rowLoss = floats(3, 1), grad = floats(2, 3);
        assertRejectedUnchanged(() -> backend.mseLoss(floats(2, 3), floats(2, 3), rowLoss, grad), rowLoss, grad);
    }

    @Test
    void softmaxCrossEntropyRejectsLabelsOfTheWrongLength() {
        Tensor rowLoss = floats(2, 1), grad = floats(2, 3);
        assertRejectedUnchanged(() -> backend.softmaxCrossEntropy(floats(2, 3), ints(3), rowLoss, grad),
                rowLoss, grad);
    }

    @Test
    void softmaxCrossEntropyRejectsFloatLabels() {
        Tensor rowLoss = floats(2, 1), grad = floats(2, 3);
        assertRejectedUnchanged(() -> backend.softmaxCrossEntropy(floats(2, 3), floats(2, 1), rowLoss, grad),
                rowLoss, grad);
    }

    @Test
    void softmaxCrossEntropyRejectsARowLossOfTheWrongLength() {
        Tensor rowLoss = floats(1, 1), grad = floats(2, 3);
        assertRejectedUnchanged(() -> backend.softmaxCrossEntropy(floats(2, 3), ints(2), rowLoss, grad),
                rowLoss, grad);
    }

    @Test
    void softmaxCrossEntropyRejectsAGradientOfAnotherShape() {
        Tensor rowLoss = floats(2, 1), grad = floats(3, 2);
        assertRejectedUnchanged(() -> backend.softmaxCrossEntropy(floats(2, 3), ints(2), rowLoss, grad),
                rowLoss, grad);
    }

    @Test
    void softmaxRowsRejectsProbabilitiesOfAnotherShape() {
        Tensor probs = floats(3, 2);
        assertRejectedUnchanged(() -> backend.softmaxRows(floats(2, 3), probs), probs);
    }

    @Test
    void meanIntoRejectsAnIndexOutsideTheDestination() {
        // dst is the first 3 elements of a 4-element buffer: index 3 would land on the fourth.
        Tensor buffer = floats(1, 4), dst = buffer.view(0, 1, 3);
        assertRejectedUnchanged(IndexOutOfBoundsException.class, () -> backend.meanInto(floats(2, 1), dst, 3), buffer);
        assertRejectedUnchanged(IndexOutOfBoundsException.class, () -> backend.meanInto(floats(2, 1), dst, -1), buffer);
    }

    @Test
    void flagNonFiniteRejectsAnIndexOutsideTheFlag() {
        // x holds a NaN, so a backend that checked only when it writes would write the fourth element.
        Tensor x = TestTensors.matrix(backend, 1, 2, 1, Float.NaN);
        Tensor buffer = floats(1, 4), flag = buffer.view(0, 1, 3);
        assertRejectedUnchanged(IndexOutOfBoundsException.class, () -> backend.flagNonFinite(x, flag, 3), buffer);
        assertRejectedUnchanged(IndexOutOfBoundsException.class, () -> backend.flagNonFinite(x, flag, -1), buffer);
    }

    // ---- optimizer ------------------------------------------------------------------------------------

    @Test
    void axpbyRejectsAnXOfAnotherSize() {
        Tensor y = floats(1, 4);
        assertRejectedUnchanged(() -> backend.axpby(0.5f, floats(1, 3), 1, y), y);
    }

    @Test
    void sgdUpdateRejectsAGradientOfAnotherSize() {
        Tensor params = floats(1, 4);
        assertRejectedUnchanged(() -> backend.sgdUpdate(params, floats(1, 3), 0.1f, 0), params);
    }

    @Test
    void momentumUpdateRejectsStateOfAnotherSize() {
        Tensor params = floats(1, 4), velocity = floats(1, 3);
        assertRejectedUnchanged(() -> backend.momentumUpdate(params, floats(1, 4), velocity, 0.1f, 0.9f, 0, true),
                params, velocity);
        Tensor velocity4 = floats(1, 4);
        assertRejectedUnchanged(() -> backend.momentumUpdate(params, floats(1, 5), velocity4, 0.1f, 0.9f, 0, false),
                params, velocity4);
    }

    @Test
    void adamUpdateRejectsMomentsOfAnotherSize() {
        Tensor params = floats(1, 4), m = floats(1, 4), s = floats(1, 3);
        assertRejectedUnchanged(() -> backend.adamUpdate(params, floats(1, 4), m, s, 1e-3f, 0.9f, 0.999f, 1e-8f, 0,
                0.1f, 0.001f), params, m, s);
        Tensor shortM = floats(1, 3), s4 = floats(1, 4);
        assertRejectedUnchanged(() -> backend.adamUpdate(params, floats(1, 4), shortM, s4, 1e-3f, 0.9f, 0.999f, 1e-8f,
                0, 0.1f, 0.001f), params, shortM, s4);
    }

    @Test
    void copyRejectsADestinationOfAnotherSize() {
        Tensor dst = floats(1, 3);
        assertRejectedUnchanged(() -> backend.copy(floats(1, 4), dst), dst);
    }

    // ---- data -----------------------------------------------------------------------------------------

    @Test
    void gatherRowsRejectsADestinationOfAnotherWidth() {
        Tensor dst = floats(2, 3);
        assertRejectedUnchanged(() -> backend.gatherRows(floats(3, 2), ints(2), 0, dst), dst);
    }

    @Test
    void gatherRowsRejectsADestinationOfAnotherType() {
        Tensor dst = ints(2);
        assertRejectedUnchanged(() -> backend.gatherRows(floats(3, 1), ints(2), 0, dst), dst);
    }

    @Test
    void gatherRowsRejectsFloatIndices() {
        Tensor dst = floats(2, 2);
        assertRejectedUnchanged(() -> backend.gatherRows(floats(3, 2), floats(2, 1), 0, dst), dst);
    }

    @Test
    void gatherRowsRejectsAStartThatLeavesTooFewIndices() {
        // 2 rows from position 3 of 4 indices, and from −1.
        Tensor dst = floats(2, 2);
        assertRejectedUnchanged(IndexOutOfBoundsException.class, () -> backend.gatherRows(floats(3, 2), ints(4), 3, dst),
                dst);
        assertRejectedUnchanged(IndexOutOfBoundsException.class, () -> backend.gatherRows(floats(3, 2), ints(4), -1, dst),
                dst);
    }

    @Test
    void argmaxRowsRejectsAnOutputOfTheWrongLength() {
        Tensor out = ints(3);
        assertRejectedUnchanged(() -> backend.argmaxRows(floats(2, 3), out), out);
    }

    @Test
    void argmaxRowsRejectsAFloatOutput() {
        Tensor out = floats(2, 1);
        assertRejectedUnchanged(() -> backend.argmaxRows(floats(2, 3), out), out);
    }
}
