package io.clprop.verify;

import io.clprop.nn.LayerSpec;
import io.clprop.nn.NetworkSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * Differences between two copies of a network's parameter-shaped buffer (parameters or gradients), per
 * tensor W1, b1, W2, …: the largest |a − b| and that divided by the tensor's largest |b| (the reference).
 *
 * <p>Tolerance for one training step in float32 ({@link #stepTolerance}): every gradient element is a sum of
 * at most K products, with K the largest of the input width, the layer widths and the batch size, whose
 * error is ≤ (K+2)·u relative to Σ|terms| (u = 2⁻²⁴); L layers compound that at most L times. Measured
 * against the tensor's largest element instead of Σ|terms| (which cancellation can make larger), a factor 8
 * is allowed on top: tol = 8·L·(K+2)·u. For the default network (K = 784, L = 3) that is 1.1e-3; a wrong
 * kernel gives differences of order 1.
 */
public record ParameterDiff(String tensor, double maxAbs, double scale) {
    public static final double U = Math.scalb(1.0, -24);

    public double relative() {
        return maxAbs == 0 ? 0 : scale == 0 ? Double.POSITIVE_INFINITY : maxAbs / scale;
    }

    public static double stepTolerance(NetworkSpec spec, int batch) {
        int k = Math.max(spec.inputs(), batch);
        for (LayerSpec l : spec.layers()) {
            k = Math.max(k, l.units());
        }
        return 8.0 * spec.layers().size() * (k + 2) * U;
    }

    public static List<ParameterDiff> perTensor(NetworkSpec spec, float[] a, float[] reference) {
        List<ParameterDiff> out = new ArrayList<>();
        for (int l = 0; l < spec.layers().size(); l++) {
            int w = spec.weightOffset(l), b = spec.biasOffset(l), end = spec.weightOffset(l + 1);
            out.add(diff("W" + (l + 1), a, reference, w, b));
            out.add(diff("b" + (l + 1), a, reference, b, end));
        }
        return out;
    }

    /** The tensor with the largest relative difference. */
    public static ParameterDiff worst(List<ParameterDiff> diffs) {
        ParameterDiff w = diffs.get(0);
        for (ParameterDiff d : diffs) {
            if (!(d.relative() <= w.relative())) {
                w = d;
            }
        }
        return w;
    }

    private static ParameterDiff diff(String name, float[] a, float[] ref, int from, int to) {
        double maxAbs = 0, scale = 0;
        for (int i = from; i < to; i++) {
            double d = Math.abs((double) a[i] - ref[i]);
            maxAbs = Math.max(maxAbs, Double.isNaN(d) ? Double.POSITIVE_INFINITY : d);
            scale = Math.max(scale, Math.abs(ref[i]));
        }
        return new ParameterDiff(name, maxAbs, scale);
    }
}
