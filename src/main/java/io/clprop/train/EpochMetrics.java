package io.clprop.train;

/**
 * One epoch's results. {@code seconds} covers the training steps and the one read-back of the epoch's
 * losses, not the test evaluation; {@code samplesPerSec} = training samples / seconds.
 */
public record EpochMetrics(int epoch, double trainLoss, double testAccuracy, double seconds, double samplesPerSec,
                           double evalSeconds, CheckStats check) {

    public String line() {
        String s = String.format("epoch %3d  train_loss %.4f  test_acc %.4f  %.2fs  %,.0f samples/s", epoch, trainLoss,
                testAccuracy, seconds, samplesPerSec);
        if (check != null) {
            s += String.format("  check %d steps max_rel %.2e", check.steps(), check.maxRel());
        }
        return s;
    }
}
