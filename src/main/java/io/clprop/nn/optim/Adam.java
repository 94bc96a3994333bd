package io.clprop.nn.optim;

import io.clprop.backend.Backend;
import io.clprop.backend.Tensor;
import io.clprop.nn.Network;

import java.util.List;

/**
 * Adam (Kingma &amp; Ba) with bias correction, as torch.optim.Adam: m ← β1·m + (1−β1)·g′,
 * s ← β2·s + (1−β2)·g′², θ ← θ − η·(m/(1−β1^t)) / (√(s/(1−β2^t)) + ε), g′ = ∇θ + wd·θ (L2, not AdamW's
 * decoupled decay). The corrections are computed here in double once per step and passed to the kernel.
 */
public final class Adam extends StepCounter {
    private final Backend backend;
    private final Tensor m;
    private final Tensor s;
    private final float beta1;
    private final float beta2;
    private final float epsilon;
    private final float weightDecay;

    public Adam(Backend backend, int parameterCount, float beta1, float beta2, float epsilon, float weightDecay) {
        this.backend = backend;
        this.m = backend.allocate(1, parameterCount);
        this.s = backend.allocate(1, parameterCount);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
        this.weightDecay = weightDecay;
    }

    @Override
    public void step(Network net, float learningRate) {
        steps++;
        float c1 = (float) (1 - Math.pow(beta1, steps));
        float c2 = (float) (1 - Math.pow(beta2, steps));
        backend.adamUpdate(net.parameterBuffer(), net.gradientBuffer(), m, s, learningRate, beta1, beta2, epsilon,
                weightDecay, c1, c2);
    }

    @Override
    public List<Tensor> state() {
        return List.of(m, s);
    }

    @Override
    public List<String> stateNames() {
        return List.of("adam_m", "adam_s");
    }

    @Override
    public void close() {
        backend.free(m);
        backend.free(s);
    }
}
