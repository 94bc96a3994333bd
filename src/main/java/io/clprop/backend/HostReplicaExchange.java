package io.clprop.backend;

import java.util.Arrays;
import java.util.List;

/**
 * {@link ReplicaExchange} through the host, for devices that share no context (two platforms, or the CPU path
 * with a device). The sum: each device's gradient read (a blocking wait for its backward pass, in device
 * order), summed in double in device order and rounded once to float, written to the first device. The
 * broadcast: the first device's parameters read and written to each other device. (2N+1)·P·4 bytes a step for
 * N devices and P parameters (N reads and one write of the gradient, one read and N−1 writes of the weights).
 */
public final class HostReplicaExchange implements ReplicaExchange {
    private final List<? extends Backend> backends;
    private final List<Tensor> grads;
    private final List<Tensor> params;
    private final double[] acc;
    private final float[] out;

    HostReplicaExchange(List<? extends Backend> backends, List<Tensor> grads, List<Tensor> params) {
        this.backends = List.copyOf(backends);
        this.grads = List.copyOf(grads);
        this.params = List.copyOf(params);
        this.acc = new double[grads.get(0).size()];
        this.out = new float[acc.length];
    }

    @Override
    public void addUp(float[] weights) {
        Arrays.fill(acc, 0);
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
        backends.get(0).write(grads.get(0), out);
    }

    @Override
    public void broadcastParameters(boolean[] to) {
        float[] w = null;
        for (int r = 1; r < backends.size(); r++) {
            if (to[r]) {
                w = w == null ? backends.get(0).read(params.get(0)) : w;
                backends.get(r).write(params.get(r), w);
            }
        }
    }

    @Override
    public int devices() {
        return backends.size();
    }

    @Override
    public long bytesPerStep() {
        return (2L * backends.size() + 1) * acc.length * Float.BYTES;
    }

    @Override
    public String route() {
        return "through the host";
    }

    @Override
    public void close() {
    }
}
