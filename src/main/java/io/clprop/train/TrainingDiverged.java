package io.clprop.train;

/**
 * The loss or the weights became NaN or infinite. Detected on the device (see Trainer's divergence
 * checks); nothing is written after it, so the last checkpoint is the last good state.
 */
public final class TrainingDiverged extends RuntimeException {
    public TrainingDiverged(String message) {
        super(message);
    }
}
