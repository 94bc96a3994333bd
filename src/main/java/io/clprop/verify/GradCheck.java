package io.clprop.verify;

import io.clprop.backend.Backend;
import io.clprop.backend.Tensor;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.backend.DropoutMask;
import io.clprop.nn.Network;
import io.clprop.nn.NetworkSpec;
import org.apache.commons.math3.random.RandomGenerator;
import org.apache.commons.math3.random.Well19937c;

import java.util.ArrayList;
import java.util.List;

/**
 * Checks backpropagation itself: analytic gradients against central finite differences
 * (L(θ+h) − L(θ−h)) / 2h of the loss computed in double precision on the CPU path.
 *
 * <p>CPU path in double, error per element: |analytic − numeric| / max(|analytic|, |numeric|, 1e-3).
 * Above 1e-3 that is the relative error; below, an absolute error scaled by 1e3, so gradients that are
 * (nearly) zero are not judged on the finite-difference noise. With h = 1e-5 in double that noise is about
 * ε·|L|/h + h²·|L‴|/6 ≈ 1e-10, i.e. ≤ 1e-7 in this measure, ten times below the 1e-6 threshold; a wrong
 * derivative gives errors of order 1.
 *
 * <p>A device computes in float32, so its gradients are judged per tensor like a training step
 * ({@link ParameterDiff}): max |device − numeric| over the tensor's largest |numeric|, against
 * {@link ParameterDiff#stepTolerance}. Parameters and inputs are float-representable so the device sees
 * exactly the point the differences are taken at.
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

    /** A network, its parameters and one batch: the point at which gradients are compared. */
    public record Problem(NetworkSpec spec, int rows, double[] theta, double[] x, int[] labels, double[] targets) {
    }

    private GradCheck() {
    }

    /** Random float-representable parameters (non-zero biases) and a random batch. */
    public static Problem problem(NetworkSpec spec, int rows, long seed) {
        RandomGenerator rng = new Well19937c(seed);
        double[] theta = new double[Math.toIntExact(spec.parameterCount())];
        for (int l = 0; l < spec.layers().size(); l++) {
            double scale = 1.5 / Math.sqrt(spec.inputsOf(l));
            for (int i = spec.weightOffset(l); i < spec.weightOffset(l + 1); i++) {
                theta[i] = (float) ((2 * rng.nextDouble() - 1) * scale);
            }
        }
        double[] x = new double[Math.multiplyExact(rows, spec.inputs())];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (2 * rng.nextDouble() - 1);
        }
        int outputs = spec.outputs();
        int[] labels = new int[rows];
        double[] targets = new double[Math.multiplyExact(rows, outputs)];
        for (int r = 0; r < rows; r++) {
            labels[r] = rng.nextInt(outputs);
            targets[r * outputs + labels[r]] = 1;
        }
        return new Problem(spec, rows, theta, x, labels, targets);
    }

    /** The CPU path's analytic gradients in double against finite differences: worst error per tensor. */
    public static List<TensorError> cpuDouble(NetworkSpec spec, int rows, long seed) {
        Problem p = problem(spec, rows, seed);
        return perTensor(spec, analyticCpuDouble(p), numeric(p));
    }

    /**
     * The same with inverted dropout {@code mask} on the hidden layers (null: none). A fixed mask makes the
     * loss a deterministic function of θ, so finite differences check the dropout backward pass: the mask
     * and scale on the way back, and f′ taken from the activation before dropout.
     */
    public static List<TensorError> cpuDouble(NetworkSpec spec, int rows, long seed, DropoutMask mask) {
        Problem p = problem(spec, rows, seed);
        return perTensor(spec, analyticCpuDouble(p, mask), numeric(p, mask));
    }

    /** Central differences of the double-precision loss, one parameter at a time. */
    public static double[] numeric(Problem p) {
        return numeric(p, null);
    }

    /** {@link #numeric(Problem)} with dropout {@code mask} (null: none) held fixed. */
    public static double[] numeric(Problem p, DropoutMask mask) {
        try (DoublePath d = new DoublePath(p, mask)) {
            double[] theta = p.theta().clone();
            double[] numeric = new double[theta.length];
            for (int i = 0; i < theta.length; i++) {
                double keep = theta[i];
                theta[i] = keep + STEP;
                double plus = d.loss(theta);
                theta[i] = keep - STEP;
                double minus = d.loss(theta);
                theta[i] = keep;
                numeric[i] = (plus - minus) / (2 * STEP);
            }
            return numeric;
        }
    }

    public static double[] analyticCpuDouble(Problem p) {
        return analyticCpuDouble(p, null);
    }

    /** The CPU path's analytic gradients in double with dropout {@code mask} (null: none). */
    public static double[] analyticCpuDouble(Problem p, DropoutMask mask) {
        try (DoublePath d = new DoublePath(p, mask)) {
            d.loss(p.theta());
            return d.cpu.readDouble(d.net.gradientBuffer());
        }
    }

    /** The gradients {@code backend} computes (float32) at the problem's point. */
    public static float[] analyticOn(Backend b, Problem p) {
        NetworkSpec spec = p.spec();
        try (Network net = new Network(b, spec, p.rows())) {
            Tensor x = b.allocate(p.rows(), spec.inputs());
            Tensor labels = b.allocateInt(p.rows());
            Tensor targets = b.allocate(p.rows(), spec.outputs());
            Tensor loss = b.allocate(1, 1);
            try {
                b.write(x, toFloat(p.x()));
                b.writeInt(labels, p.labels());
                b.write(targets, toFloat(p.targets()));
                net.setParameters(toFloat(p.theta()));
                net.computeGradients(x, labels, targets, loss, 0);
                return net.gradients();
            } finally {
                b.free(x);
                b.free(labels);
                b.free(targets);
                b.free(loss);
            }
        }
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

    public static float[] toFloat(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    /** The problem loaded into the CPU path in double precision, for repeated loss evaluations. */
    private static final class DoublePath implements AutoCloseable {
        final CpuBackend cpu = new CpuBackend(CpuBackend.Precision.DOUBLE);
        final Network net;
        final Tensor x, labels, targets, loss;
        final DropoutMask mask;

        DoublePath(Problem p, DropoutMask mask) {
            this.mask = mask;
            net = new Network(cpu, p.spec(), p.rows(), mask == null ? 0 : p.rows());
            x = cpu.allocate(p.rows(), p.spec().inputs());
            labels = cpu.allocateInt(p.rows());
            targets = cpu.allocate(p.rows(), p.spec().outputs());
            loss = cpu.allocate(1, 1);
            cpu.writeDouble(x, p.x());
            cpu.writeInt(labels, p.labels());
            cpu.writeDouble(targets, p.targets());
        }

        double loss(double[] theta) {
            cpu.writeDouble(net.parameterBuffer(), theta);
            net.computeGradients(x, labels, targets, loss, 0, mask);
            return cpu.readDouble(loss)[0];
        }

        @Override
        public void close() {
            cpu.close();
        }
    }
}
