package io.clprop.backend.opencl;

import io.clprop.backend.Backend;
import io.clprop.backend.ReplicaExchange;
import io.clprop.backend.Tensor;
import org.jocl.cl_event;

import java.util.ArrayList;
import java.util.List;

import static org.jocl.CL.clEnqueueBarrierWithWaitList;
import static org.jocl.CL.clEnqueueMarkerWithWaitList;
import static org.jocl.CL.clReleaseEvent;

/**
 * {@link ReplicaExchange} for OpenCL devices of one context, without the host: every step is enqueued with
 * events between the devices' queues (markers and barriers), nothing the host waits for, so it goes on
 * enqueueing while the devices work.
 * <ul>
 *   <li>The sum: the first device waits for the others' backward passes and sums every device's gradient
 *   into its own buffer with {@code axpby}, reading each where it is (device order: the same sum every run);
 *   each other device waits for that before its next backward pass overwrites its buffer.</li>
 *   <li>The broadcast: each other device waits for the first device's update and copies its parameters; the
 *   first waits for those copies before its next update overwrites them.</li>
 * </ul>
 * The driver moves the buffers between the devices: 2·(N−1)·P·4 bytes a step for N devices and P parameters,
 * counted on the receiving devices ({@code TransferStats#fromOtherDevice}).
 */
public final class SharedContextReplicaExchange implements ReplicaExchange {
    private final List<OpenClBackend> devices;
    private final List<Tensor> grads;
    private final List<Tensor> params;
    private final long bytesPerBuffer;

    public SharedContextReplicaExchange(List<OpenClBackend> devices, List<Tensor> grads, List<Tensor> params) {
        if (!applies(devices)) {
            throw new IllegalArgumentException("the devices do not share one context");
        }
        this.devices = List.copyOf(devices);
        this.grads = List.copyOf(grads);
        this.params = List.copyOf(params);
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
    public void addUp(float[] weights) {
        OpenClBackend root = devices.get(0);
        Tensor sum = grads.get(0);
        List<cl_event> events = new ArrayList<>();
        List<cl_event> ready = new ArrayList<>();
        for (int r = 1; r < devices.size(); r++) {
            if (weights[r] != 0) {
                ready.add(marker(devices.get(r), events));
            }
        }
        barrier(root, ready);
        // Σ w_r·g_r in device order; the first term overwrites (b = 0), so a device that sat out adds nothing.
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
        cl_event summed = marker(root, events);
        for (int r = 1; r < devices.size(); r++) {
            barrier(devices.get(r), List.of(summed));
        }
        release(events);
    }

    @Override
    public void broadcastParameters(boolean[] to) {
        OpenClBackend root = devices.get(0);
        List<cl_event> events = new ArrayList<>();
        cl_event updated = marker(root, events);
        List<cl_event> copied = new ArrayList<>();
        for (int r = 1; r < devices.size(); r++) {
            if (!to[r]) {
                continue;
            }
            OpenClBackend d = devices.get(r);
            d.copyFrom(root, params.get(0), params.get(r), 1, new cl_event[]{updated});
            d.transfers().fromOtherDevice(bytesPerBuffer);
            copied.add(marker(d, events));
        }
        barrier(root, copied);
        release(events);
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

    /** The queues hold what they wait on; the host's references can go. */
    private static void release(List<cl_event> events) {
        for (cl_event e : events) {
            clReleaseEvent(e);
            ClObjectCounts.released(ClObjectCounts.Kind.EVENT);
        }
    }

    @Override
    public int devices() {
        return devices.size();
    }

    @Override
    public long bytesPerStep() {
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
