package io.clprop.nn;

import io.clprop.backend.Activation;
import io.clprop.backend.DropoutMask;

import io.clprop.backend.Backend;
import io.clprop.backend.MemoryLimits;
import io.clprop.backend.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * A stack of layers and a loss on one backend, built from a backend-free {@link NetworkSpec}; the same spec
 * builds as many networks as wanted, on one backend or several (replicas whose parameters are set from one
 * array compute the same outputs and gradients). All parameters are in one buffer and all gradients in
 * another of the same layout, so an optimizer updates the whole network in one operation, and weights can
 * be copied between backends (or to a file) as one array.
 */
public final class Network implements AutoCloseable {
    private final Backend backend;
    private final NetworkSpec spec;
    private final int maxRows;
    private final Tensor params;
    private final Tensor grads;
    private final Tensor rowLoss;
    private final List<Layer> layers = new ArrayList<>();
    private final List<Tensor> owned = new ArrayList<>();

    /** Allocates parameters (zero) and activations for batches of up to {@code maxRows} rows; no dropout. */
    public Network(Backend backend, NetworkSpec spec, int maxRows) {
        this(backend, spec, maxRows, 0);
    }

    /**
     * As {@link #Network(Backend, NetworkSpec, int)}, plus a dropped-output buffer of {@code dropoutRows}
     * rows per hidden layer when {@code dropoutRows > 0}, for training batches of up to that many rows with
     * dropout (see {@link LayerOutput}); evaluation never needs them.
     */
    public Network(Backend backend, NetworkSpec spec, int maxRows, int dropoutRows) {
        checkSizes(backend, spec, maxRows, dropoutRows);
        this.backend = backend;
        this.spec = spec;
        this.maxRows = maxRows;
        int count = Math.toIntExact(spec.parameterCount());
        this.params = own(backend.allocate(1, count));
        this.grads = own(backend.allocate(1, count));
        this.rowLoss = own(backend.allocate(maxRows, 1));
        long scratch = spec.workspace(maxRows);
        Tensor workspace = scratch == 0 ? null : own(backend.allocate(1, Math.toIntExact(scratch)));
        for (int l = 0; l < spec.layers().size(); l++) {
            List<Tensor> buffers = new ArrayList<>();
            for (LayerBuffer b : spec.buffers(l, maxRows, dropoutRows)) {
                buffers.add(own(b.type() == Tensor.DType.INT32
                        ? backend.allocateInt(Math.toIntExact(b.elements())).reshape(b.rows(), b.cols())
                        : backend.allocate(b.rows(), b.cols())));
            }
            layers.add(spec.layers().get(l).create(backend, l, spec.inputsOf(l), params, grads,
                    spec.weightOffset(l), buffers, workspace));
        }
    }

    /**
     * Before any allocation: every buffer this network holds must fit one of the backend's buffers (its
     * element limit), so that a spec too large (a model file's widths, the setting hidden, rows × units) is
     * refused with its true sizes rather than overflowing an int on the way to the allocation.
     */
    private static void checkSizes(Backend backend, NetworkSpec spec, int maxRows, int dropoutRows) {
        MemoryLimits.Kind kind = backend.memoryLimits().map(MemoryLimits::kind).orElse(MemoryLimits.Kind.DEVICE);
        kind.checkElements("the parameters", spec.parameterCount(), false);
        for (int l = 0; l < spec.layers().size(); l++) {
            for (LayerBuffer b : spec.buffers(l, maxRows, dropoutRows)) {
                kind.checkElements("the layer " + (l + 1) + " " + b.name() + " for " + b.rows() + " rows",
                        b.elements(), false);
            }
        }
        kind.checkElements("the workspace for " + maxRows + " rows", spec.workspace(maxRows), false);
    }

    /** A spec layer by layer: {@code Network.builder().input(784).dense(128, RELU).output(10, SOFTMAX_CE).build()}. */
    public static NetworkBuilder builder() {
        return new NetworkBuilder();
    }

    private Tensor own(Tensor t) {
        owned.add(t);
        return t;
    }

    public NetworkSpec spec() {
        return spec;
    }

    public Backend backend() {
        return backend;
    }

    public int maxRows() {
        return maxRows;
    }

    public List<Layer> layers() {
        return layers;
    }

    public Tensor parameterBuffer() {
        return params;
    }

    public Tensor gradientBuffer() {
        return grads;
    }

    public void setParameters(float[] values) {
        backend.write(params, values);
    }

    public float[] parameters() {
        return backend.read(params);
    }

    public float[] gradients() {
        return backend.read(grads);
    }

    public void setGradients(float[] values) {
        backend.write(grads, values);
    }

    /** Forward pass over the rows of x (at most maxRows); returns the output layer's activations. */
    public Tensor forward(Tensor x) {
        return forward(x, null);
    }

    /** The forward pass with dropout {@code mask} on every hidden layer's output (null: none, as evaluation). */
    private Tensor forward(Tensor x, DropoutMask mask) {
        if (x.rows() > maxRows) {
            throw new IllegalArgumentException(x.rows() + " rows for a network sized for " + maxRows);
        }
        Tensor a = x;
        for (int l = 0; l < layers.size(); l++) {
            a = layers.get(l).forward(a, l < layers.size() - 1 ? mask : null);
        }
        return a;
    }

    /**
     * Forward, loss and backward for one batch: leaves dLoss/dθ in the gradient buffer and the batch's mean
     * loss in {@code lossOut[index]} (on the device; nothing is read back).
     *
     * @param labels  class indices (int, one per row), used by softmax-CE
     * @param targets target rows (float, rows × outputs), used by MSE
     */
    public void computeGradients(Tensor x, Tensor labels, Tensor targets, Tensor lossOut, int index) {
        computeGradients(x, labels, targets, lossOut, index, null);
    }

    /**
     * {@link #computeGradients(Tensor, Tensor, Tensor, Tensor, int)} with inverted dropout {@code mask} on the
     * hidden layers' outputs (null: none); the network must have been built with dropout rows.
     */
    public void computeGradients(Tensor x, Tensor labels, Tensor targets, Tensor lossOut, int index,
                                 DropoutMask mask) {
        Tensor yHat = computeLoss(x, labels, targets, lossOut, index, mask);
        LayerOutput last = layers.get(layers.size() - 1).output();
        Tensor dz = last.gradient(x.rows());
        if (last.activation() != Activation.IDENTITY) {
            backend.activationBackward(last.activation(), yHat, dz, dz); // dLoss/dŶ → dLoss/dZ
        }
        for (int l = layers.size() - 1; l >= 0; l--) {
            layers.get(l).backward(l == 0 ? null : layers.get(l - 1).output());
        }
    }

    /**
     * Forward pass and loss without the backward pass (evaluation): the batch's mean loss goes to
     * {@code lossOut[index]} on the device; returns the output layer's activations. The loss kernels also
     * write dLoss/dŶ into the last layer's gradient buffer, which the next backward pass overwrites.
     */
    public Tensor computeLoss(Tensor x, Tensor labels, Tensor targets, Tensor lossOut, int index) {
        return computeLoss(x, labels, targets, lossOut, index, null);
    }

    private Tensor computeLoss(Tensor x, Tensor labels, Tensor targets, Tensor lossOut, int index,
                               DropoutMask mask) {
        int n = x.rows();
        Tensor yHat = forward(x, mask);
        Tensor dz = layers.get(layers.size() - 1).output().gradient(n);
        Tensor loss = rowLoss.firstRows(n);
        switch (spec.loss()) {
            case SOFTMAX_CE -> backend.softmaxCrossEntropy(yHat, labels, loss, dz);
            case MSE -> backend.mseLoss(yHat, targets, loss, dz);
        }
        backend.meanInto(loss, lossOut, index);
        return yHat;
    }

    @Override
    public void close() {
        for (Tensor t : owned) {
            backend.free(t);
        }
        owned.clear();
    }
}
