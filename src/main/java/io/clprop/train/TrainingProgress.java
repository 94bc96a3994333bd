package io.clprop.train;


/**
 * Told of training as the host loop submits it: an epoch's start with its number of steps, each step, the
 * epoch's end. {@link #step()} is called from the step loop and must stay cheap: no device interaction, no
 * I/O on the caller's thread. Steps are enqueued asynchronously on the device, so a step counts when it is
 * submitted, not when the device has run it; {@link #endEpoch()} comes after the epoch's losses have been
 * read back, i.e. when the device has finished the epoch.
 */
public interface TrainingProgress extends AutoCloseable {
    void startEpoch(int epoch, int steps);

    void step();

    void endEpoch();

    /** Releases whatever a display holds (a bar left open by an epoch that failed half-way). */
    @Override
    default void close() {
    }

    static TrainingProgress none() {
        return NoProgress.INSTANCE;
    }
}
