package io.clprop.model;

import io.clprop.backend.Backend;
import io.clprop.backend.Tensor;
import io.clprop.backend.Activation;
import io.clprop.nn.LossKind;
import io.clprop.nn.Network;

/**
 * Class predictions and per-class outputs for unlabelled samples, computed on the device: the samples are
 * uploaded once, each chunk of at most {@code network.maxRows()} rows goes through the forward pass, then
 * softmax_rows (softmax-CE models: class probabilities) or a device copy of the sigmoid outputs (MSE models,
 * whose outputs are not probabilities and are reported as they are), and argmax; the host reads the outputs
 * once and the classes once.
 */
public final class Predictor {
    /**
     * @param classes the predicted class of each sample (argmax of the network's output, as evaluation does)
     * @param outputs rows × classCount, row-major: probabilities (softmax-CE) or sigmoid outputs (MSE)
     */
    public record Prediction(int[] classes, float[] outputs, int classCount) {
    }

    private Predictor() {
    }

    /** @param features rows × inputs values, row-major, already standardised if the model says so */
    public static Prediction predict(Backend backend, Network network, float[] features, int rows) {
        int d = network.spec().inputs(), c = network.spec().outputs();
        if ((long) rows * d != features.length || rows <= 0) {
            throw new IllegalArgumentException(features.length + " values are not " + rows + " rows of " + d);
        }
        boolean softmax = network.spec().loss() == LossKind.SOFTMAX_CE;
        Tensor x = backend.allocate(rows, d);
        try {
            Tensor probs = backend.allocate(rows, c);
            try {
                Tensor classes = backend.allocateInt(rows);
                try {
                    backend.write(x, features);
                    int chunk = Math.min(network.maxRows(), rows);
                    for (int start = 0; start < rows; start += chunk) {
                        int n = Math.min(chunk, rows - start);
                        Tensor out = network.forward(x.rowRange(start, n));
                        if (softmax) {
                            backend.softmaxRows(out, probs.rowRange(start, n));
                        } else {
                            // The identity activation is an exact element-wise copy (activate kernel).
                            backend.activate(Activation.IDENTITY, out, probs.rowRange(start, n));
                        }
                        backend.argmaxRows(out, classes.rowRange(start, n));
                    }
                    float[] p = backend.read(probs);
                    return new Prediction(backend.readInt(classes), p, c);
                } finally {
                    backend.free(classes);
                }
            } finally {
                backend.free(probs);
            }
        } finally {
            backend.free(x);
        }
    }
}
