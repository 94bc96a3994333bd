package io.clprop.train;

/**
 * One epoch's results. {@code seconds} covers the training steps and the one read-back of the epoch's
 * losses, not the evaluations; {@code samplesPerSec} = training samples / seconds. Validation and test
 * figures are NaN when there is no such set; {@code learningRate} is the rate of the epoch's last step.
 */
public record EpochMetrics(int epoch, double trainLoss, double validationLoss, double validationAccuracy,
                           double testAccuracy, double learningRate, double seconds, double samplesPerSec,
                           double evalSeconds, ShadowCheckSummary check) implements java.io.Serializable {

    public boolean hasValidation() {
        return !Double.isNaN(validationLoss);
    }

    public String line() {
        String s = String.format("epoch %3d  train_loss %.4f", epoch, trainLoss);
        if (hasValidation()) {
            s += String.format("  val_loss %.4f  val_acc %.4f", validationLoss, validationAccuracy);
        }
        if (!Double.isNaN(testAccuracy)) {
            s += String.format("  test_acc %.4f", testAccuracy);
        }
        s += String.format("  %.2fs  %,.0f samples/s", seconds, samplesPerSec);
        if (check != null) {
            s += String.format("  check %d steps max_rel %.2e", check.steps(), check.maxRel());
        }
        return s;
    }
}
