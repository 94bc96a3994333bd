package io.clprop.train;

/**
 * The loss or the weights became NaN or infinite. Detected on the device (see Trainer's divergence
 * checks); nothing is written after it, so the last checkpoint is the last good state. The command line
 * exits with its own status for it, not that of other bad input.
 */
public final class TrainingDiverged extends io.clprop.util.UserError {
    public TrainingDiverged(String message) {
        super(message);
    }
}
