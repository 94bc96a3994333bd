package io.clprop.backend;

import io.clprop.backend.opencl.OpenClBackend;
import io.clprop.backend.opencl.SharedContextReplicaExchange;

import java.util.List;

/**
 * Data-parallel training's two collectives over the devices' replicas of one network. Every device has the
 * gradient of its share of the batch (the mean over its rows): {@link #sumGradients} puts their weighted sum
 * {@code Σ_r w_r·g_r} into the first device's gradient buffer, with {@code w_r} the device's rows over the
 * batch's, which is the mean over the whole batch. The first device applies the update, and
 * {@link #broadcastParameters} copies its parameters to every other device.
 *
 * <p>Why the first device updates and sends its weights, rather than every device applying the same update to
 * the same gradient: the same update kernel built by two compilers (PoCL and Mesa's rusticl, measured) rounds
 * differently by an ulp here and there (a fused multiply-add where the other does not fuse, Adam's square root
 * and division), so replicas drift apart. Sent weights are the same bits on every device, whatever the mix of
 * devices, for the same bytes moved as sending the summed gradient; the other devices keep no optimizer state.
 */
public interface ReplicaExchange extends AutoCloseable {

    /**
     * The weighted sum into the first device's gradient buffer; a device with weight 0 (no rows this step)
     * adds nothing, whatever its buffer holds. When the first device has weight 1 and the others 0 (it had
     * every row) its buffer is the sum already and nothing moves. Enqueued where the devices allow it, so it
     * may return before done.
     */
    default void sumGradients(float[] weights) {
        if (weights.length != devices()) {
            throw new IllegalArgumentException(weights.length + " weights for " + devices() + " devices");
        }
        if (!firstHasAll(weights)) {
            addUp(weights);
        }
    }

    /** {@link #sumGradients} itself, for weights checked, one per device, not all the first device's. */
    void addUp(float[] weights);

    /** The first device's parameters copied to every other device's (after its update). */
    default void broadcastParameters() {
        boolean[] all = new boolean[devices()];
        java.util.Arrays.fill(all, true);
        broadcastParameters(all);
    }

    /**
     * The first device's parameters copied to the other devices {@code to} marks (entry 0 is ignored): those
     * that compute; one that sits every step out needs them only when the run is read or ends.
     */
    void broadcastParameters(boolean[] to);

    /** How many devices exchange. */
    int devices();

    /** True when weights {@code w} give the first device every row: its gradient is the sum as it is. */
    private static boolean firstHasAll(float[] w) {
        if (w[0] != 1) {
            return false;
        }
        for (int r = 1; r < w.length; r++) {
            if (w[r] != 0) {
                return false;
            }
        }
        return true;
    }

    /** What one step's {@link #sumGradients} and {@link #broadcastParameters} move, in bytes. */
    long bytesPerStep();

    /** How the buffers travel, for reports: "through the host" or "device to device, one context". */
    String route();

    @Override
    void close();

    /**
     * The exchange for these devices' buffers ({@code grads.get(r)} and {@code params.get(r)} on
     * {@code backends.get(r)}, each list's buffers of one size): device to device when every backend is an
     * OpenCL device of one context, else through the host.
     */
    static ReplicaExchange over(List<? extends Backend> backends, List<Tensor> grads, List<Tensor> params) {
        if (backends.size() != grads.size() || backends.size() != params.size() || backends.isEmpty()) {
            throw new IllegalArgumentException(backends.size() + " devices, " + grads.size() + " gradient and "
                    + params.size() + " parameter buffers");
        }
        for (int r = 0; r < backends.size(); r++) {
            if (grads.get(r).size() != grads.get(0).size() || params.get(r).size() != grads.get(0).size()) {
                throw new IllegalArgumentException("buffers of " + grads.get(0).size() + " and "
                        + grads.get(r).size() + "/" + params.get(r).size() + " elements");
            }
        }
        if (SharedContextReplicaExchange.applies(backends)) {
            List<OpenClBackend> cl = backends.stream().map(b -> (OpenClBackend) b).toList();
            return new SharedContextReplicaExchange(cl, grads, params);
        }
        return new HostReplicaExchange(backends, grads, params);
    }
}
