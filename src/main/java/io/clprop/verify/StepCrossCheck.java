package io.clprop.verify;

import io.clprop.backend.Backend;
import io.clprop.backend.Tensor;
import io.clprop.backend.Activation;
import io.clprop.nn.Dropout;
import io.clprop.backend.DropoutMask;
import io.clprop.nn.Init;
import io.clprop.nn.LossKind;
import io.clprop.nn.Network;
import io.clprop.nn.NetworkSpec;
import io.clprop.nn.optim.Optimizer;
import io.clprop.nn.optim.OptimizerConfig;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

import java.util.ArrayList;
import java.util.List;

/**
 * One whole training step (forward, loss, backward, SGD update) of a small network on a device from random
 * weights and a random batch, replayed on the CPU path ({@link StepReplay}); the worst tensor of the
 * gradients and updated weights reported against {@link StepReplay#tolerance(NetworkSpec, int)}.
 */
public final class StepCrossCheck {
    /** Widths that are primes or off the gemm block: 29 inputs, hidden 17 and 11, 7 outputs, 9 rows. */
    static final int INPUTS = 29;
    static final int[] HIDDEN = {17, 11};
    static final int OUTPUTS = 7;
    static final int ROWS = 9;
    static final float LR = 0.5f;

    private StepCrossCheck() {
    }

    /** Dropout rate of the dropout steps: both backends draw the mask from the hash, so they drop the same units. */
    static final double DROPOUT = 0.3;

    /** The step for every hidden activation × loss pair, then each loss with dropout on the hidden layers. */
    public static List<Comparison> allPairs(Backend device, long seed) {
        List<Comparison> out = new ArrayList<>();
        for (Activation f : Activation.HIDDEN) {
            for (LossKind loss : LossKind.values()) {
                out.add(run(device, NetworkSpec.mlp(INPUTS, HIDDEN, f, OUTPUTS, loss), ROWS, seed));
            }
        }
        DropoutMask mask = new Dropout(DROPOUT, seed).mask(seed);
        out.add(run(device, NetworkSpec.mlp(INPUTS, HIDDEN, Activation.RELU, OUTPUTS, LossKind.SOFTMAX_CE), ROWS, seed,
                mask));
        out.add(run(device, NetworkSpec.mlp(INPUTS, HIDDEN, Activation.SIGMOID, OUTPUTS, LossKind.MSE), ROWS, seed,
                mask));
        out.add(run(device, convolutional(LossKind.SOFTMAX_CE), ROWS, seed));
        out.add(run(device, convolutional(LossKind.MSE), ROWS, seed, mask));
        return out;
    }

    /**
     * A small convolutional network over 3 × 9 × 7 images: a padded convolution of a prime channel count, a
     * max-pool that leaves a row and a column over, a strided convolution after it, then dense layers.
     */
    static NetworkSpec convolutional(LossKind loss) {
        return Network.builder().input(3, 9, 7)
                .conv(5, 3, 1, 1, Activation.RELU).maxPool(2)
                .conv(7, 2, 2, 1, Activation.TANH).flatten()
                .dense(11, Activation.RELU).output(OUTPUTS, loss).build();
    }

    public static Comparison run(Backend device, NetworkSpec spec, int rows, long seed) {
        return run(device, spec, rows, seed, null);
    }

    /** One step with dropout {@code mask} on the hidden layers (null: none) on both backends. */
    public static Comparison run(Backend device, NetworkSpec spec, int rows, long seed, DropoutMask mask) {
        RandomGenerator rng = new Well19937c(seed);
        float[] theta = Init.AUTO.parameters(spec, rng);
        for (int l = 0; l < spec.layers().size(); l++) {
            for (int i = spec.biasOffset(l); i < spec.weightOffset(l + 1); i++) {
                theta[i] = (float) (0.1 * rng.nextGaussian()); // non-zero biases, so db and b are exercised
            }
        }
        float[] x = new float[rows * spec.inputs()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextDouble();
        }
        int[] labels = new int[rows];
        float[] targets = new float[rows * spec.outputs()];
        for (int r = 0; r < rows; r++) {
            labels[r] = rng.nextInt(spec.outputs());
            targets[r * spec.outputs() + labels[r]] = 1;
        }
        StepReplay.DeviceStep step = step(device, spec, theta, x, labels, targets, mask);
        Comparison worst;
        try (StepReplay replay = new StepReplay(spec, rows, OptimizerConfig.sgd(), mask != null)) {
            worst = Comparison.worst(replay.compare(x, labels, mask, step));
        }
        String act = spec.isMlp() ? spec.layers().get(0).activation().specName() : "conv";
        String tensor = (worst.what().equals(StepReplay.GRADIENT) ? "d" : "") + worst.where();
        String[] described = spec.describe().split(" ");
        return new Comparison("train_step[" + act + "/" + spec.loss().specName
                + (mask == null ? "" : ", dropout " + DROPOUT) + "]",
                (spec.isMlp() ? described[0] : described[0] + " " + described[1]) + " x" + rows + " worst " + tensor,
                worst.maxAbs(), worst.maxRel(), worst.scale(), worst.tolerance());
    }

    /** One SGD step on the device from {@code theta}. */
    private static StepReplay.DeviceStep step(Backend b, NetworkSpec spec, float[] theta, float[] x, int[] labels,
                                              float[] targets, DropoutMask mask) {
        int rows = labels.length;
        try (Network net = new Network(b, spec, rows, mask == null ? 0 : rows)) {
            Tensor tx = b.allocate(rows, spec.inputs());
            Tensor ty = b.allocateInt(rows);
            Tensor tt = b.allocate(rows, spec.outputs());
            Tensor loss = b.allocate(1, 1);
            try {
                b.write(tx, x);
                b.writeInt(ty, labels);
                b.write(tt, targets);
                net.setParameters(theta);
                net.computeGradients(tx, ty, tt, loss, 0, mask);
                try (Optimizer sgd = OptimizerConfig.sgd().create(b, theta.length)) {
                    sgd.step(net, LR);
                }
                return new StepReplay.DeviceStep(theta, List.of(), 0, LR, net.gradients(), net.parameters());
            } finally {
                b.free(tx);
                b.free(ty);
                b.free(tt);
                b.free(loss);
            }
        }
    }
}
