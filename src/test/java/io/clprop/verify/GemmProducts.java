package io.clprop.verify;

import io.clprop.backend.Activation;

import java.util.List;

/**
 * Every product a gemm configuration computes, for one shape: the three matmul forms and the three fused
 * dense kernels (one activation each; the suite rotates through all of them). What a test of another gemm
 * build checks when the whole suite would take too long.
 */
final class GemmProducts {
    private GemmProducts() {
    }

    /** @param s M, N, K */
    static List<Comparison> check(KernelCrossCheck check, int[] s) {
        return List.of(check.matmul(s[0], s[1], s[2], false, false),
                check.matmul(s[0], s[1], s[2], true, false), check.matmul(s[0], s[1], s[2], false, true),
                check.denseForward(s[0], s[1], s[2], Activation.TANH),
                check.denseBackwardInput(s[0], s[1], s[2], Activation.SIGMOID),
                check.denseBackwardWeights(s[0], s[1], s[2]));
    }
}
