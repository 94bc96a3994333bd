package io.clprop.verify;

import io.clprop.nn.NetworkSpec;

import java.util.ArrayList;
import java.util.List;

/**
 * One tensor of a network's parameter-shaped buffer (parameters or gradients): its name (W1, b1, W2, …)
 * and the elements [from, to) it takes, so checks can say which tensor differs.
 */
public record ParameterTensor(String name, int from, int to) {
    public int size() {
        return to - from;
    }

    /** The tensors in buffer order: each layer's weights, then its biases (named by the layer's position). */
    public static List<ParameterTensor> of(NetworkSpec spec) {
        List<ParameterTensor> out = new ArrayList<>();
        for (int l = 0; l < spec.layers().size(); l++) {
            int w = spec.weightOffset(l), b = spec.biasOffset(l), end = spec.weightOffset(l + 1);
            if (end == w) {
                continue; // a max-pool: no parameters
            }
            out.add(new ParameterTensor("W" + (l + 1), w, b));
            out.add(new ParameterTensor("b" + (l + 1), b, end));
        }
        return out;
    }
}
