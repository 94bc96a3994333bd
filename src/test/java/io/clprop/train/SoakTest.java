package io.clprop.train;

import io.clprop.SyntheticData;
import io.clprop.TestDevices;
import io.clprop.backend.opencl.ClObjectCounts;
import io.clprop.backend.opencl.OpenClBackend;
import io.clprop.data.Dataset;
import io.clprop.backend.Activation;
import io.clprop.nn.Init;
import io.clprop.nn.LossKind;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A long-running process that makes many trainers — a service, a hyper-parameter sweep — must not
 * accumulate anything: 200 trainers on 5 successive OpenCL backends, each trained a few steps and closed.
 * After every backend the OpenCL objects clprop created (buffers, kernels, queues, events) are back to
 * zero, the per-JVM cache (contexts, programs) has not grown, and the used heap after a full GC has not
 * grown by more than a leak of the trainers would cost (see {@link #HEAP_BOUND_FRACTION}).
 */
class SoakTest {
    static final int BACKENDS = 5;
    static final int TRAINERS_PER_BACKEND = 40;
    static final int STEPS = 3;
    /** Samples per data set: each trainer holds an int[N] batch order, 16 KiB, that a leak would keep. */
    static final int N = 4096;
    /**
     * Allowed heap growth, as a fraction of what leaking the trainers made after the first measurement would
     * retain through their batch orders alone (4·N bytes each; 160 trainers → 2.5 MiB). Half of that: the
     * used heap after a full GC moves by a few KiB over the whole run on PoCL, and a real leak keeps far more
     * than the order arrays (keeping the closed trainers in a list grows it by 5.4 MiB, 34 KiB per trainer).
     */
    static final double HEAP_BOUND_FRACTION = 0.5;

    @Test
    void manyTrainersLeaveNoOpenClObjectsAndNoHeapGrowth() {
        TestDevices.openCl().close(); // skip (or fail in CI) without a device
        assertEquals(0, ClObjectCounts.live(), () -> "OpenCL objects live before the soak test (a test before it "
                + "did not close its backend): " + ClObjectCounts.snapshot());
        Dataset train = SyntheticData.blobs(N, 16, 4, 0.3, 1);
        Dataset test = SyntheticData.blobs(500, 16, 4, 0.3, 2);

        List<Long> heap = new ArrayList<>();
        long cachedAfterFirst = -1;
        long t0 = System.nanoTime();
        for (int round = 0; round < BACKENDS; round++) {
            OpenClBackend b = TestDevices.openCl();
            if (round == 1) {
                b.startProfiling(); // one backend records an event per launch: those must be released too
            }
            for (int i = 0; i < TRAINERS_PER_BACKEND; i++) {
                LossKind loss = i % 2 == 0 ? LossKind.SOFTMAX_CE : LossKind.MSE; // MSE adds target buffers
                TrainConfig c = new TrainConfig(new int[]{12, 8}, Activation.RELU, loss, 0.05f, 64, 1, 0, i, Init.AUTO);
                try (Trainer t = new Trainer(b, c, train, i % 4 == 0 ? test : null)) {
                    t.trainSteps(STEPS);
                }
                assertEquals(0, b.liveBuffers(), "buffers held by backend " + round + " after trainer " + i);
            }
            if (round == 1) {
                assertTrue(ClObjectCounts.live(ClObjectCounts.Kind.EVENT) > 0, "profiling recorded events");
                b.stopProfiling();
            }
            b.close();
            assertEquals(0, ClObjectCounts.live(), "OpenCL objects after backend " + round + ": "
                    + ClObjectCounts.snapshot());
            if (round == 0) {
                cachedAfterFirst = ClObjectCounts.cached();
            }
            assertEquals(cachedAfterFirst, ClObjectCounts.cached(), "contexts and programs are built once per JVM");
            heap.add(usedHeapAfterGc());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;

        long growth = heap.get(heap.size() - 1) - heap.get(0);
        long trainersAfterFirst = (long) (BACKENDS - 1) * TRAINERS_PER_BACKEND;
        long bound = (long) (HEAP_BOUND_FRACTION * trainersAfterFirst * 4L * N);
        assertTrue(growth < bound, "used heap after GC grew by " + growth + " bytes over " + trainersAfterFirst
                + " trainers (bound " + bound + "); samples " + heap);
        System.out.printf("soak: %d trainers on %d backends in %.1f s; heap after GC %s bytes (growth %d, bound %d)%n",
                BACKENDS * TRAINERS_PER_BACKEND, BACKENDS, seconds, heap, growth, bound);
    }

    /** The used heap after full collections, taken when two in a row agree within 1 KiB (at most 10 tries). */
    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long used = rt.totalMemory() - rt.freeMemory();
            if (Math.abs(used - last) < 1024) {
                return used;
            }
            last = used;
        }
        return last;
    }
}
