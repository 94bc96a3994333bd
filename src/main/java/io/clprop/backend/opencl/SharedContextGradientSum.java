package io.clprop.backend.opencl;

import io.clprop.backend.Backend;
import io.clprop.backend.GradientSum;
import io.clprop.backend.Tensor;
import org.jocl.cl_event;

import java.util.ArrayList;
import java.util.List;

import static org.jocl.CL.clEnqueueBarrierWithWaitList;
import static org.jocl.CL.clEnqueueMarkerWithWaitList;
import static org.jocl.CL.clReleaseEvent;

/**
 * {@link GradientSum} for OpenCL devices of one context, without the host: the first device waits (an event
 * per device, no host wait) for the others' backward passes, sums every device's gradients into its own buffer
 * with {@code axpby} reading them where they are (device order, so the same sum every run), and each other
 * device copies the sum back once the first has it; the first device waits for those copies before its next
 * step can overwrite its buffer. Nothing is enqueued as a blocking call, so the host goes on enqueueing the
 * update. The driver moves the buffers between the devices: 2·(N−1)·P·4 bytes for N devices and P
 * parameters, counted on the receiving devices ({@code TransferStats#fromOtherDevice}).
 */
public final class SharedContextGradientSum implements GradientSum {
    private final List<OpenClBackend> devices;
    private final List<Tensor> grads;
    private final long bytesPerBuffer;

    public SharedContextGradientSum(List<OpenClBackend> devices, List<Tensor> grads) {
        if (!applies(devices)) {
            throw new IllegalArgumentException("the devices do not share one context");
        }
        this.devices = List.copyOf(devices);
        this.grads = List.copyOf(grads);
        this.bytesPerBuffer = 4L * grads.get(0).size();
    }

    /** True for two or more OpenCL backends of one context. */
    public static boolean applies(List<? extends Backend> backends) {
        if (backends.size() < 2 || !(backends.get(0) instanceof OpenClBackend first)) {
            return false;
        }
        for (Backend b : backends) {
            if (!(b instanceof OpenClBackend cl) || !first.sharesContextWith(cl)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void sum(float[] weights) {
        if (weights.length != devices.size()) {
            throw new IllegalArgumentException(weights.length + " weights for " + devices.size() + " devices");
        }
        OpenClBackend root = devices.get(0);
        Tensor sum = grads.get(0);
        List<cl_event> events = new ArrayList<>();
        // 1. The first device waits for the others' gradients.
        List<cl_event> ready = new ArrayList<>();
        for (int r = 1; r < devices.size(); r++) {
            if (weights[r] != 0) {
                ready.add(marker(devices.get(r), events));
            }
        }
        barrier(root, ready);
        // 2. Σ w_r·g_r into the first device's buffer, in device order; the first term overwrites (b = 0).
        boolean started = false;
        for (int r = 0; r < devices.size(); r++) {
            if (weights[r] == 0) {
                continue;
            }
            if (r == 0) {
                root.axpby(weights[0], sum, 0, sum);
            } else {
                root.axpbyFrom(weights[r], devices.get(r), grads.get(r), started ? 1 : 0, sum);
                root.transfers().fromOtherDevice(bytesPerBuffer);
            }
            started = true;
        }
        // 3. Every other device takes the sum once it is there; the first waits for those copies.
        cl_event summed = marker(root, events);
        List<cl_event> copied = new ArrayList<>();
        for (int r = 1; r < devices.size(); r++) {
            OpenClBackend d = devices.get(r);
            d.copyFrom(root, sum, grads.get(r), 1, new cl_event[]{summed});
            d.transfers().fromOtherDevice(bytesPerBuffer);
            copied.add(marker(d, events));
        }
        barrier(root, copied);
        // The queues hold what they wait on; the host's references can go.
        for (cl_event e : events) {
            clReleaseEvent(e);
            ClObjectCounts.released(ClObjectCounts.Kind.EVENT);
        }
    }

    private static cl_event marker(OpenClBackend d, List<cl_event> events) {
        cl_event e = new cl_event();
        clEnqueueMarkerWithWaitList(d.queue(), 0, null, e);
        ClObjectCounts.created(ClObjectCounts.Kind.EVENT);
        events.add(e);
        return e;
    }

    private static void barrier(OpenClBackend d, List<cl_event> waitFor) {
        if (!waitFor.isEmpty()) {
            clEnqueueBarrierWithWaitList(d.queue(), waitFor.size(), waitFor.toArray(cl_event[]::new), null);
        }
    }

    @Override
    public long bytesPerSum() {
        return 2L * (devices.size() - 1) * bytesPerBuffer;
    }

    @Override
    public String route() {
        return "device to device, one context";
    }

    @Override
    public void close() {
    }
}
