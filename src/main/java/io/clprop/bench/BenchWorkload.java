package io.clprop.bench;

import io.clprop.nn.LayerList;
import io.clprop.nn.optim.OptimizerConfig;
import io.clprop.train.TrainConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the benchmark trains, one description driving its throughput runs, its profile and its
 * matrix-multiply shapes (and, in bench/, the PyTorch peer's same network):
 * <ul>
 *   <li>MLP: the reference run, 784-256-128-10 ReLU, softmax-CE, SGD η = 0.1 ({@link TrainConfig#defaults()});</li>
 *   <li>CNN: the reference convolutional network, conv 32 3×3 pad 1, ReLU, max-pool 2, conv 64 3×3 pad 1,
 *       ReLU, max-pool 2, dense 128, ReLU, dense 10, softmax-CE, Adam η = 10⁻³ (421,642 parameters).</li>
 * </ul>
 */
public enum BenchWorkload {
    MLP, CNN;

    public static final String CNN_LAYERS =
            "conv:32:3:pad1,relu,maxpool:2,conv:64:3:pad1,relu,maxpool:2,flatten,dense:128,relu,dense:10";

    public String specName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static BenchWorkload parse(String s) {
        for (BenchWorkload w : values()) {
            if (w.specName().equals(s.toLowerCase(Locale.ROOT))) {
                return w;
            }
        }
        throw new IllegalArgumentException("unknown workload '" + s + "' (expected mlp or cnn)");
    }

    /** The run's settings, with divergence checks every {@code divergenceCheckEvery} steps as in training. */
    public TrainConfig reference(int divergenceCheckEvery) {
        TrainConfig.Builder b = TrainConfig.builder().divergenceCheckEvery(divergenceCheckEvery);
        if (this == CNN) {
            b.layers(LayerList.parse(CNN_LAYERS)).optimizer(OptimizerConfig.adam()).learningRate(1e-3);
        }
        return b.build();
    }

    /**
     * The products of one training step at batch B, {form code (0 nt, 1 tn, 2 nn), m, n, k}, plus 1024³:
     * for the CNN, each convolution's product over the batch's windows (B·H·W rows of C_in·9) and the dense
     * layers'.
     */
    public List<int[]> shapes(int batch) {
        List<int[]> s = new ArrayList<>();
        if (this == MLP) {
            s.add(new int[]{0, batch, 256, 784});   // forward layer 1
            s.add(new int[]{0, batch, 128, 256});   // forward layer 2
            s.add(new int[]{0, batch, 10, 128});    // forward layer 3
            s.add(new int[]{1, 256, 784, batch});   // dW layer 1
            s.add(new int[]{1, 128, 256, batch});   // dW layer 2
            s.add(new int[]{1, 10, 128, batch});    // dW layer 3
            s.add(new int[]{2, batch, 256, 128});   // dX layer 2
            s.add(new int[]{2, batch, 128, 10});    // dX layer 3
        } else {
            int w1 = batch * 28 * 28, w2 = batch * 14 * 14;
            s.add(new int[]{0, w1, 32, 9});         // conv 1 forward: windows · Wᵀ
            s.add(new int[]{0, w2, 64, 288});       // conv 2 forward
            s.add(new int[]{0, batch, 128, 3136});  // dense 1 forward
            s.add(new int[]{1, 32, 9, w1});         // conv 1 dW
            s.add(new int[]{1, 64, 288, w2});       // conv 2 dW
            s.add(new int[]{1, 128, 3136, batch});  // dense 1 dW
            s.add(new int[]{2, w2, 288, 64});       // conv 2 dX (the windows' gradient)
            s.add(new int[]{2, batch, 3136, 128});  // dense 1 dX
        }
        s.add(new int[]{2, 1024, 1024, 1024});
        return s;
    }
}
