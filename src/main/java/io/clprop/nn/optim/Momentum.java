package io.clprop.nn.optim;

import io.clprop.backend.Backend;
import io.clprop.backend.Tensor;
import io.clprop.nn.Network;

import java.util.List;

/**
 * SGD with momentum as torch.optim.SGD computes it: v ← μ·v + g′, θ ← θ − η·v, or with Nesterov
 * θ ← θ − η·(g′ + μ·v); g′ = ∇θ + wd·θ. The velocity starts at zero (PyTorch starts it at the first
 * gradient, which is the same thing: μ·0 + g′).
 */
public final class Momentum extends StepCounter {
    private final Backend backend;
    private final Tensor velocity;
    private final float momentum;
    private final float weightDecay;
    private final boolean nesterov;

    public Momentum(Backend backend, int parameterCount, float momentum, float weightDecay, boolean nesterov) {
        this.backend = backend;
        this.velocity = backend.allocate(1, parameterCount);
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    @Override
    public void step(Network net, float learningRate) {
        backend.momentumUpdate(net.parameterBuffer(), net.gradientBuffer(), velocity, learningRate, momentum,
                weightDecay, nesterov);
        steps++;
    }

    @Override
    public List<Tensor> state() {
        return List.of(velocity);
    }

    @Override
    public List<String> stateNames() {
        return List.of("velocity");
    }

    @Override
    public void close() {
        backend.free(velocity);
    }
}
