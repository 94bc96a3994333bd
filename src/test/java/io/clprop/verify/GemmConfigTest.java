package io.clprop.verify;

import io.clprop.TestDevices;
import io.clprop.backend.opencl.GemmConfig;
import io.clprop.backend.opencl.OpenClBackend;
import io.clprop.nn.Activation;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * gemm.cl's block shape is a set of -D defines a tuner may change; every shape it can choose must stay
 * correct on every matrix size, edges included, for the plain products and the fused backward kernels
 * that share their code (dense_forward uses gemm_nt, whose block is fixed). Same suite and tolerances as {@link KernelCrossCheckTest}.
 */
class GemmConfigTest {

    @ParameterizedTest(name = "RM={0} VW={1} NV={2}")
    @CsvSource({"1,2,1", "3,4,3", "8,16,1"})
    void everyBlockShapeMatchesTheCpuReference(int rm, int vw, int nv) {
        try (OpenClBackend device = TestDevices.openCl(new GemmConfig(rm, vw, nv));
             KernelCrossCheck check = new KernelCrossCheck(device, rm * 100 + vw * 10 + nv)) {
            for (int[] s : KernelCrossCheck.MATMUL_SHAPES) {
                for (int form = 0; form < 3; form++) {
                    CheckResult r = check.matmul(s[0], s[1], s[2], form == 1, form == 2);
                    assertTrue(r.pass(), "RM=" + rm + " VW=" + vw + " NV=" + nv + ": " + r.row());
                }
                for (Activation f : Activation.values()) {
                    CheckResult r = check.denseBackwardInput(s[0], s[1], s[2], f);
                    assertTrue(r.pass(), "RM=" + rm + " VW=" + vw + " NV=" + nv + ": " + r.row());
                }
                CheckResult r = check.denseBackwardWeights(s[0], s[1], s[2]);
                assertTrue(r.pass(), "RM=" + rm + " VW=" + vw + " NV=" + nv + ": " + r.row());
            }
        }
    }
}
