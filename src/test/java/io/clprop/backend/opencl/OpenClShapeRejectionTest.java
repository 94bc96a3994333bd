package io.clprop.backend.opencl;

import io.clprop.TestDevices;
import io.clprop.backend.Backend;
import io.clprop.backend.ShapeRejectionContract;
import io.clprop.backend.Tensor;
import org.junit.jupiter.api.Test;

/** The shape-rejection cases on the OpenCL backend (the test device), and the product form it does not offer. */
class OpenClShapeRejectionTest extends ShapeRejectionContract {
    @Override
    protected Backend open() {
        return TestDevices.openCl();
    }

    @Test
    void matmulRefusesBothOperandsTransposed() {
        // No kernel computes op(a)ᵀ·op(b)ᵀ (training needs the other three forms); the shapes here agree.
        Tensor c = floats(2, 2);
        assertRejectedUnchanged(UnsupportedOperationException.class,
                () -> backend().matmul(floats(3, 2), true, floats(2, 3), true, c), c);
    }
}
