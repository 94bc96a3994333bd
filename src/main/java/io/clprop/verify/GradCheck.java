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
 * ({@link StepReplay}): max |device − numeric| over the tensor's largest |numeric|, against
 * {@link StepReplay#tolerance(NetworkSpec, int)}. Parameters and inputs are float-representable so the
 * device sees exactly the point the differences are taken at.
 */
public final class GradCheck {
    public static final double STEP = 1e-5;
    public static final double THRESHOLD = 1e-6;
    private static final double FLOOR = 1e-3;

    /** The {@code what} of the CPU path's comparisons. */
    public static final String CPU = "cpu(double) vs finite differences";
    /** The {@code what} of the device's comparisons. */
    public static final String DEVICE = "device(float) vs finite differences";
    /** The CPU path's error scale: the larger magnitude, but at least the floor (see the class comment). */
    private static final Comparison.Scale CPU_SCALE = (i, a, n) -> Math.max(FLOOR, Math.max(Math.abs(a), Math.abs(n)));

    /** One parameter tensor's gradients against finite differences: on the CPU path, and on the device (null: none). */
    public record TensorCheck(String tensor, int size, Comparison cpu, Comparison device) {
        public boolean passed() {
            return cpu.passed() && (device == null || device.passed());
        }
    }

    /** A gradcheck's verdict, tensor by tensor in buffer order. */
    public record Verdict(List<TensorCheck> tensors) {
        public boolean passed() {
            return tensors.stream().allMatch(TensorCheck::passed);
        }

        public boolean onDevice() {
            return tensors.get(0).device() != null;
        }

        /** The device's tolerance, the same for every tensor (only with a device). */
        public double deviceTolerance() {
            return tensors.get(0).device().tolerance();
        }

        /** What failed, tensor by tensor, the device before the CPU path: "W1 on the device: 1.234e-01". */
        public List<String> failures() {
            List<String> out = new ArrayList<>();
            for (TensorCheck t : tensors) {
                if (t.device() != null && !t.device().passed()) {
                    out.add(t.tensor() + " on the device: " + String.format("%.3e", t.device().maxRel()));
                }
                if (!t.cpu().passed()) {
                    out.add(t.tensor() + " on the CPU path: " + String.format("%.3e", t.cpu().maxRel()));
                }
            }
            return out;
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
            double scale = 1.5 / Math.sqrt(Math.max(1, spec.layers().get(l).fanIn(spec.inputsOf(l))));
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

    /**
     * The gradients at a random point ({@link #problem}) against finite differences: the CPU path's in double
     * and, unless {@code device} is null, the device's in float.
     */
    public static Verdict check(NetworkSpec spec, int rows, long seed, Backend device) {
        Problem p = problem(spec, rows, seed);
        double[] numeric = numeric(p);
        List<Comparison> cpu = perTensor(spec, analyticCpuDouble(p), numeric);
        List<Comparison> dev = device == null ? null : onDevice(spec, rows, analyticOn(device, p), toFloat(numeric));
        List<ParameterTensor> tensors = ParameterTensor.of(spec);
        List<TensorCheck> out = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            out.add(new TensorCheck(tensors.get(i).name(), tensors.get(i).size(), cpu.get(i),
                    dev == null ? null : dev.get(i)));
        }
        return new Verdict(out);
    }

    /** The CPU path's analytic gradients in double against finite differences: worst error per tensor. */
    public static List<Comparison> cpuDouble(NetworkSpec spec, int rows, long seed) {
        Problem p = problem(spec, rows, seed);
        return perTensor(spec, analyticCpuDouble(p), numeric(p));
    }

    /**
     * The same with inverted dropout {@code mask} on the hidden layers (null: none). A fixed mask makes the
     * loss a deterministic function of θ, so finite differences check the dropout backward pass: the mask
     * and scale on the way back, and f′ taken from the activation before dropout.
     */
    public static List<Comparison> cpuDouble(NetworkSpec spec, int rows, long seed, DropoutMask mask) {
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

    /** The CPU path's error per tensor, named W1, b1, W2, … in layer order. */
    public static List<Comparison> perTensor(NetworkSpec spec, double[] analytic, double[] numeric) {
        List<Comparison> out = new ArrayList<>();
        for (ParameterTensor t : ParameterTensor.of(spec)) {
            out.add(Comparison.of(CPU, t.name(), analytic, numeric, t.from(), t.to(), CPU_SCALE, THRESHOLD));
        }
        return out;
    }

    /** A device's float gradients per tensor against the finite differences rounded to float. */
    private static List<Comparison> onDevice(NetworkSpec spec, int rows, float[] analytic, float[] numeric) {
        double tolerance = StepReplay.tolerance(spec, rows);
        List<Comparison> out = new ArrayList<>();
        for (ParameterTensor t : ParameterTensor.of(spec)) {
            out.add(Comparison.relativeToLargest(DEVICE, t.name(), analytic, numeric, t.from(), t.to(), tolerance));
        }
        return out;
    }

    private static float[] toFloat(double[] v) {
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
