package io.clprop.backend.opencl;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Process-wide counts of the OpenCL objects clprop has created and not yet released, by kind. Every
 * clCreate…/clRelease… in this package goes through {@link #created}/{@link #released}, so a leak — a
 * backend or trainer that forgets a buffer, a kernel, a queue or a profiling event — shows as a count that
 * does not return to where it was (the soak test checks this over hundreds of trainers).
 *
 * <p>Two kinds are cached per JVM by design and are reported apart ({@link #cached()}): the context of each
 * device and the programs built on it ({@link ProgramCache}), which live until the JVM ends so that backends
 * coming and going do not recompile. They grow once per device and build option set, not per use.
 */
public final class ClObjectCounts {
    /** What clprop creates. MEM, KERNEL, QUEUE and EVENT belong to one backend; the others to the JVM. */
    public enum Kind {
        MEM, KERNEL, QUEUE, EVENT, PROGRAM, CONTEXT;

        /** Released by the backend that made it (true), or kept for the JVM's lifetime (false). */
        public boolean perBackend() {
            return this != PROGRAM && this != CONTEXT;
        }
    }

    private static final AtomicLongArray LIVE = new AtomicLongArray(Kind.values().length);

    private ClObjectCounts() {
    }

    static void created(Kind kind) {
        LIVE.incrementAndGet(kind.ordinal());
    }

    static void created(Kind kind, int n) {
        LIVE.addAndGet(kind.ordinal(), n);
    }

    static void released(Kind kind) {
        LIVE.decrementAndGet(kind.ordinal());
    }

    /** Objects of one kind created and not released. */
    public static long live(Kind kind) {
        return LIVE.get(kind.ordinal());
    }

    /** Buffers, kernels, queues and events not yet released: zero when every backend has been closed. */
    public static long live() {
        long n = 0;
        for (Kind k : Kind.values()) {
            if (k.perBackend()) {
                n += live(k);
            }
        }
        return n;
    }

    /** Contexts and built programs, kept per JVM by {@link ProgramCache}. */
    public static long cached() {
        return live(Kind.PROGRAM) + live(Kind.CONTEXT);
    }

    /** Every kind's count, in declaration order (for messages). */
    public static Map<Kind, Long> snapshot() {
        Map<Kind, Long> out = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            out.put(k, live(k));
        }
        return out;
    }
}
