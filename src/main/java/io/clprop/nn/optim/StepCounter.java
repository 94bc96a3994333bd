package io.clprop.nn.optim;

/** The step count every optimizer keeps (Adam's t; carried by checkpoints for all of them). */
abstract class StepCounter implements Optimizer {
    long steps;

    @Override
    public long steps() {
        return steps;
    }

    @Override
    public void setSteps(long steps) {
        this.steps = steps;
    }
}
