package io.clprop.backend;

import io.clprop.backend.opencl.OpenClBackend;
import io.clprop.backend.opencl.SharedContextGradientSum;

import java.util.List;

/**
 * Data-parallel training's one collective: every device has the gradient of its share of the batch (the
 * mean over its rows); {@link #sum} replaces each device's gradient buffer with their weighted sum
 * {@code Σ_r w_r·g_r}, with {@code w_r} the device's rows over the batch's, which is the mean over the whole
 * batch. Every device receives the same bits, so replicas that apply the same update stay identical.
 */
public interface GradientSum extends AutoCloseable {

    /**
     * Replaces every device's buffer by the weighted sum; a device with weight 0 (no rows this step) adds
     * nothing, whatever its buffer holds. Enqueued where the devices allow it, so it may return before done.
     */
    void sum(float[] weights);

    /** What one {@link #sum} moves between devices, or through the host, in bytes. */
    long bytesPerSum();

    /** How the gradients travel, for reports: "through the host" or "device to device, one context". */
    String route();

    @Override
    void close();

    /**
     * The sum for these devices' buffers ({@code grads.get(r)} on {@code backends.get(r)}, all the same size):
     * device to device when every backend is an OpenCL device of one context, else through the host.
     */
    static GradientSum over(List<? extends Backend> backends, List<Tensor> grads) {
        if (backends.size() != grads.size() || backends.isEmpty()) {
            throw new IllegalArgumentException(backends.size() + " devices, " + grads.size() + " buffers");
        }
        for (Tensor g : grads) {
            if (g.size() != grads.get(0).size()) {
                throw new IllegalArgumentException("gradient buffers of " + grads.get(0).size() + " and " + g.size()
                        + " elements");
            }
        }
        if (SharedContextGradientSum.applies(backends)) {
            List<OpenClBackend> cl = backends.stream().map(b -> (OpenClBackend) b).toList();
            return new SharedContextGradientSum(cl, grads);
        }
        return new HostGradientSum(backends, grads);
    }
}
