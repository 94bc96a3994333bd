package io.clprop.backend;

import java.util.List;

/**
 * {@link GradientSum} through the host, for devices that share no context (two platforms, or the CPU path
 * with a device): each device's buffer is read, the weighted sum taken in double in device order and rounded
 * once to float, and the result written to every device. Moves 2·N·P·4 bytes for N devices and P parameters,
 * and waits for each device's backward pass in turn.
 */
public final class HostGradientSum implements GradientSum {
    private final List<? extends Backend> backends;
    private final List<Tensor> grads;
    private final double[] acc;
    private final float[] out;

    HostGradientSum(List<? extends Backend> backends, List<Tensor> grads) {
        this.backends = List.copyOf(backends);
        this.grads = List.copyOf(grads);
        this.acc = new double[grads.get(0).size()];
        this.out = new float[acc.length];
    }

    @Override
    public void sum(float[] weights) {
        if (weights.length != grads.size()) {
            throw new IllegalArgumentException(weights.length + " weights for " + grads.size() + " devices");
        }
        java.util.Arrays.fill(acc, 0);
        for (int r = 0; r < grads.size(); r++) {
            if (weights[r] == 0) {
                continue;
            }
            float[] g = backends.get(r).read(grads.get(r));
            double w = weights[r];
            for (int i = 0; i < acc.length; i++) {
                acc[i] += w * g[i];
            }
        }
        for (int i = 0; i < acc.length; i++) {
            out[i] = (float) acc[i];
        }
        for (int r = 0; r < grads.size(); r++) {
            backends.get(r).write(grads.get(r), out);
        }
    }

    @Override
    public long bytesPerSum() {
        return 2L * grads.size() * acc.length * Float.BYTES;
    }

    @Override
    public String route() {
        return "through the host";
    }

    @Override
    public void close() {
    }
}
