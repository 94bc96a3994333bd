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
        return reference(divergenceCheckEvery, null);
    }

    /**
     * As {@link #reference(int)}, the MLP with hidden layers of {@code hidden} widths instead of 256, 128
     * (null: those), for measuring how the cost grows with the layers' width.
     */
    public TrainConfig reference(int divergenceCheckEvery, int[] hidden) {
        TrainConfig.Builder b = TrainConfig.builder().divergenceCheckEvery(divergenceCheckEvery);
        if (hidden != null) {
            if (this != MLP) {
                throw new IllegalArgumentException("hidden widths apply to the mlp workload");
            }
            b.hidden(hidden);
        }
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
        return shapes(batch, null);
    }

    /** {@link #shapes(int)} of the MLP with hidden layers {@code hidden} (null: 256, 128). */
    public List<int[]> shapes(int batch, int[] hidden) {
        List<int[]> s = new ArrayList<>();
        if (this == MLP) {
            int[] w = hidden == null ? TrainConfig.defaults().hidden() : hidden;
            int[] widths = new int[w.length + 2];
            widths[0] = 784;
            System.arraycopy(w, 0, widths, 1, w.length);
            widths[widths.length - 1] = 10;
            for (int l = 1; l < widths.length; l++) {
                s.add(new int[]{0, batch, widths[l], widths[l - 1]});   // forward layer l
            }
            for (int l = 1; l < widths.length; l++) {
                s.add(new int[]{1, widths[l], widths[l - 1], batch});   // dW layer l
            }
            for (int l = 2; l < widths.length; l++) {
                s.add(new int[]{2, batch, widths[l - 1], widths[l]});   // dX layer l (not the first's)
            }
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
