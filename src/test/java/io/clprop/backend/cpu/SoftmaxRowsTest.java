package io.clprop.backend.cpu;

import io.clprop.backend.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The reference softmax_rows is checked against values known in closed form (the kernel is checked against it). */
class SoftmaxRowsTest {
    @Test
    void knownValuesAndLargeLogits() {
        try (CpuBackend cpu = new CpuBackend()) {
            // Row 0: e^0 : e^{ln 3} = 1 : 3. Row 1: equal logits of 1000 (exp(1000) overflows: the maximum is
            // subtracted first). Row 2: a single dominant logit.
            float[] z = {0f, (float) Math.log(3), 1000f, 1000f, -50f, 50f};
            Tensor logits = cpu.allocate(3, 2), probs = cpu.allocate(3, 2);
            cpu.write(logits, z);
            cpu.softmaxRows(logits, probs);
            float[] p = cpu.read(probs);
            assertArrayEquals(new float[]{0.25f, 0.75f, 0.5f, 0.5f, (float) Math.exp(-100), 1f}, p, 1e-7f);
            assertEquals((float) (1 / (1 + Math.exp(100))), p[4], Math.ulp(p[4]));
        }
    }
}
