package io.clprop.train;

import io.clprop.backend.Backend;
import io.clprop.backend.Tensor;
import io.clprop.nn.LossKind;
import io.clprop.nn.Network;

/**
 * Loss, accuracy and predictions of a network on a data set already on the device. The set is taken in
 * chunks of at most {@code network.maxRows()} rows; each chunk's forward pass, loss (the training loss:
 * softmax-CE on the labels or squared error on the one-hot targets), chunk mean and argmax run on the device,
 * and the host reads two arrays at the end: the chunk losses and the predictions. The loss kernels also
 * write a gradient; it goes to the last layer's gradient rows, which are scratch outside a training step.
 *
 * <p>Buffers are allocated once, so a trainer can keep an Evaluator per data set and call {@link #evaluate}
 * every epoch.
 */
public final class Evaluator implements AutoCloseable {
    /** Rows per forward pass for evaluation and prediction: few launches, modest activation buffers. */
    public static final int CHUNK_ROWS = 1000;

    /**
     * @param loss        mean loss over the samples
     * @param accuracy    fraction of samples whose argmax output is their label
     * @param predictions the argmax class of each sample
     */
    public record Evaluation(double loss, double accuracy, int[] predictions) {
    }

    private final Backend backend;
    private final Network network;
    private final DeviceDataset data;
    private final int chunk;
    private final int chunks;
    private final Tensor chunkLosses;
    private final Tensor predictions;

    public Evaluator(Backend backend, Network network, DeviceDataset data) {
        if (network.backend() != backend || data.backend != backend) {
            throw new IllegalArgumentException("network, data and evaluator must share one backend");
        }
        if (data.size == 0) {
            throw new IllegalArgumentException("nothing to evaluate: the data set is empty");
        }
        int outputs = network.spec().outputs();
        if (data.features.cols() != network.spec().inputs()) {
            throw new IllegalArgumentException("samples have " + data.features.cols() + " features, the network takes "
                    + network.spec().inputs());
        }
        if (network.spec().loss() == LossKind.MSE && (data.targets == null || data.targets.cols() != outputs)) {
            throw new IllegalArgumentException("squared-error evaluation needs one-hot targets with " + outputs
                    + " columns on the device");
        }
        for (int label : data.hostLabels) {
            // softmax_ce reads z[label]: a label past the outputs would read another row's logits.
            if (label < 0 || label >= outputs) {
                throw new IllegalArgumentException("label " + label + " outside the network's classes 0.." + (outputs - 1));
            }
        }
        this.backend = backend;
        this.network = network;
        this.data = data;
        this.chunk = Math.min(network.maxRows(), data.size);
        this.chunks = (int) (((long) data.size + chunk - 1) / chunk); // size + chunk can pass 2^31 − 1
        this.chunkLosses = backend.allocate(1, chunks);
        try {
            this.predictions = backend.allocateInt(data.size);
        } catch (RuntimeException e) {
            backend.free(chunkLosses);
            throw e;
        }
    }

    /** Evaluates once with temporary buffers. */
    public static Evaluation evaluate(Backend backend, Network network, DeviceDataset data) {
        try (Evaluator e = new Evaluator(backend, network, data)) {
            return e.evaluate();
        }
    }

    public Evaluation evaluate() {
        for (int k = 0; k < chunks; k++) {
            int start = k * chunk, rows = Math.min(chunk, data.size - start);
            Tensor targets = data.targets == null ? null : data.targets.rowRange(start, rows);
            Tensor out = network.computeLoss(data.features.rowRange(start, rows), data.labels.rowRange(start, rows),
                    targets, chunkLosses, k);
            backend.argmaxRows(out, predictions.rowRange(start, rows));
        }
        float[] means = backend.read(chunkLosses);
        int[] predicted = backend.readInt(predictions);
        double sum = 0;
        for (int k = 0; k < chunks; k++) {
            sum += (double) means[k] * Math.min(chunk, data.size - k * chunk);
        }
        int correct = 0;
        for (int i = 0; i < predicted.length; i++) {
            if (predicted[i] == data.hostLabels[i]) {
                correct++;
            }
        }
        return new Evaluation(sum / data.size, (double) correct / data.size, predicted);
    }

    @Override
    public void close() {
        backend.free(chunkLosses);
        backend.free(predictions);
    }
}
