package io.clprop.backend.opencl;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Extra -D defines replace the built-in ones of the same name instead of redefining the macro. */
class BuildOptionMergeTest {
    @Test
    void defineOfTheSameNameIsReplacedInPlace() {
        assertEquals("-cl-std=CL1.2 -DRM=2 -DVW=16 -DNV=2",
                OpenClBackend.mergeOptions("-cl-std=CL1.2 -DRM=4 -DVW=16 -DNV=2", "-DRM=2"));
    }

    @Test
    void newDefinesAndFlagsAreAppended() {
        assertEquals("-cl-std=CL1.2 -DRM=4 -DX -cl-fast-relaxed-math",
                OpenClBackend.mergeOptions("-cl-std=CL1.2 -DRM=4", " -DX  -cl-fast-relaxed-math "));
        assertEquals("-cl-std=CL1.2 -DX=3", OpenClBackend.mergeOptions("-cl-std=CL1.2 -DX", "-DX=3"));
    }
}
