package io.clprop.backend.cpu;

import io.clprop.backend.Backend;
import io.clprop.backend.ShapeRejectionContract;

/** The shape-rejection cases on the CPU twin. */
class CpuShapeRejectionTest extends ShapeRejectionContract {
    @Override
    protected Backend open() {
        return new CpuBackend();
    }
}
