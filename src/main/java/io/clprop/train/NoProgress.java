package io.clprop.train;

/** Shows nothing: the default, and what runs without a terminal get. */
public final class NoProgress implements TrainingProgress {
    static final NoProgress INSTANCE = new NoProgress();

    private NoProgress() {
    }

    @Override
    public void startEpoch(int epoch, int steps) {
    }

    @Override
    public void step() {
    }

    @Override
    public void endEpoch() {
    }
}
