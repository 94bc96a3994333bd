package io.clprop.verify;

import io.clprop.backend.Tensor;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.nn.Network;
import io.clprop.nn.NetworkSpec;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks backpropagation itself: the CPU path's analytic gradients, computed in double precision, against
 * central finite differences (L(θ+h) − L(θ−h)) / 2h of the same double-precision loss.
 *
 * <p>Error per element: |analytic − numeric| / max(|analytic|, |numeric|, 1e-3). Above 1e-3 that is the
 * relative error; below, an absolute error scaled by 1e3, so gradients that are (nearly) zero are not judged
 * on the finite-difference noise. With h = 1e-5 in double that noise is about ε·|L|/h + h²·|L‴|/6 ≈ 1e-10,
 * i.e. ≤ 1e-7 in this measure, ten times below the 1e-6 threshold; a wrong derivative gives errors of order 1.
 */
public final class GradCheck {
    public static final double STEP = 1e-5;
    public static final double THRESHOLD = 1e-6;
    private static final double FLOOR = 1e-3;

    /** Worst error over one parameter tensor (e.g. "W1", "b2"). */
    public record TensorError(String tensor, int size, double maxError) {
        public boolean pass() {
            return maxError <= THRESHOLD;
        }
    }

    private GradCheck() {
    }

    /**
     * Random parameters and a random batch of {@code rows} rows for {@code spec}; returns the worst error per
     * parameter tensor.
     */
    public static List<TensorError> cpuDouble(NetworkSpec spec, int rows, long seed) {
        RandomGenerator rng = new Well19937c(seed);
        try (CpuBackend cpu = new CpuBackend(CpuBackend.Precision.DOUBLE);
             Network net = new Network(cpu, spec, rows)) {
            int n = spec.parameterCount();
            double[] theta = new double[n];
            for (int l = 0; l < spec.layers().size(); l++) {
                double scale = 1.5 / Math.sqrt(spec.inputsOf(l));
                int from = spec.weightOffset(l), to = spec.weightOffset(l + 1);
                for (int i = from; i < to; i++) {
                    theta[i] = (2 * rng.nextDouble() - 1) * scale;
                }
            }
            int outputs = spec.outputs();
            Tensor x = cpu.allocate(rows, spec.inputs());
            Tensor labels = cpu.allocateInt(rows);
            Tensor targets = cpu.allocate(rows, outputs);
            Tensor loss = cpu.allocate(1, 1);
            double[] xs = new double[rows * spec.inputs()];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = 2 * rng.nextDouble() - 1;
            }
            cpu.writeDouble(x, xs);
            int[] ys = new int[rows];
            double[] ts = new double[rows * outputs];
            for (int r = 0; r < rows; r++) {
                ys[r] = rng.nextInt(outputs);
                ts[r * outputs + ys[r]] = 1;
            }
            cpu.writeInt(labels, ys);
            cpu.writeDouble(targets, ts);

            cpu.writeDouble(net.parameterBuffer(), theta);
            net.computeGradients(x, labels, targets, loss, 0);
            double[] analytic = cpu.readDouble(net.gradientBuffer());

            double[] numeric = new double[n];
            for (int i = 0; i < n; i++) {
                double keep = theta[i];
                theta[i] = keep + STEP;
                double plus = lossAt(cpu, net, theta, x, labels, targets, loss);
                theta[i] = keep - STEP;
                double minus = lossAt(cpu, net, theta, x, labels, targets, loss);
                theta[i] = keep;
                numeric[i] = (plus - minus) / (2 * STEP);
            }
            return perTensor(spec, analytic, numeric);
        }
    }

    private static double lossAt(CpuBackend cpu, Network net, double[] theta, Tensor x, Tensor labels,
                                 Tensor targets, Tensor loss) {
        cpu.writeDouble(net.parameterBuffer(), theta);
        net.computeGradients(x, labels, targets, loss, 0);
        return cpu.readDouble(loss)[0];
    }

    /** Worst element error per tensor, named W1, b1, W2, … in layer order. */
    public static List<TensorError> perTensor(NetworkSpec spec, double[] analytic, double[] numeric) {
        List<TensorError> out = new ArrayList<>();
        for (int l = 0; l < spec.layers().size(); l++) {
            int w = spec.weightOffset(l), b = spec.biasOffset(l), end = spec.weightOffset(l + 1);
            out.add(new TensorError("W" + (l + 1), b - w, worst(analytic, numeric, w, b)));
            out.add(new TensorError("b" + (l + 1), end - b, worst(analytic, numeric, b, end)));
        }
        return out;
    }

    static double worst(double[] a, double[] n, int from, int to) {
        double worst = 0;
        for (int i = from; i < to; i++) {
            double e = Math.abs(a[i] - n[i]) / Math.max(FLOOR, Math.max(Math.abs(a[i]), Math.abs(n[i])));
            worst = Math.max(worst, Double.isNaN(e) ? Double.POSITIVE_INFINITY : e);
        }
        return worst;
    }
}
