package io.clprop.nn;

/** Plain gradient descent: θ ← θ − η·∇θ, over the whole parameter buffer in one operation. */
public final class Sgd {
    private final float learningRate;

    public Sgd(float learningRate) {
        if (!(learningRate > 0) || Float.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + learningRate);
        }
        this.learningRate = learningRate;
    }

    public float learningRate() {
        return learningRate;
    }

    public void step(Network net) {
        net.backend().sgdUpdate(net.parameterBuffer(), net.gradientBuffer(), learningRate);
    }
}
