package io.clprop.nn.optim;

import io.clprop.backend.Backend;
import io.clprop.backend.Tensor;
import io.clprop.nn.Network;

import java.util.List;

/** Plain gradient descent: θ ← θ − η·(∇θ + wd·θ). No state. */
public final class Sgd extends StepCounter {
    private final Backend backend;
    private final float weightDecay;

    public Sgd(Backend backend, float weightDecay) {
        this.backend = backend;
        this.weightDecay = weightDecay;
    }

    @Override
    public void step(Network net, float learningRate) {
        backend.sgdUpdate(net.parameterBuffer(), net.gradientBuffer(), learningRate, weightDecay);
        steps++;
    }

    @Override
    public List<Tensor> state() {
        return List.of();
    }

    @Override
    public List<String> stateNames() {
        return List.of();
    }

    @Override
    public void close() {
    }
}
