package io.clprop.backend;

import io.clprop.util.UserError;

/**
 * How much memory a backend offers: in all, per buffer in bytes, and per buffer in elements. For an OpenCL
 * device the first two are {@code CL_DEVICE_GLOBAL_MEM_SIZE} and {@code CL_DEVICE_MAX_MEM_ALLOC_SIZE}; for
 * the CPU path the Java heap's maximum ({@link Runtime#maxMemory()}, set with {@code -Xmx}) and no byte limit
 * per array beyond it. The element limit is the {@link Kind}'s: clprop indexes every buffer with 32-bit
 * ints, and a Java array holds fewer still.
 *
 * <p>For tests and diagnosis, the system property {@value #PROPERTY} or the environment variable
 * {@value #ENV} (bytes; the property wins) lowers a device's two byte limits to at most that many bytes, so
 * that "the device is too small" can be tried on any device. It never raises them, and it does not apply to
 * the CPU path's heap (which {@code -Xmx} sets).
 */
public record MemoryLimits(String device, long globalBytes, long maxAllocBytes, String source, Kind kind) {
    public static final String ENV = "CLPROP_DEVICE_MEMORY_LIMIT";
    public static final String PROPERTY = "clprop.device.memory.limit";

    /** What kind of memory the limits describe: how an element is stored and how many one buffer holds. */
    public enum Kind {
        /**
         * An OpenCL device: 32-bit floats and ints. {@code Tensor} offsets and sizes and the kernels' index
         * arithmetic are 32-bit ints, so a buffer holds at most {@link Integer#MAX_VALUE} elements.
         */
        DEVICE(4, Integer.MAX_VALUE, "clprop's OpenCL buffers hold at most " + Integer.MAX_VALUE
                + " elements (32-bit indices)"),
        /**
         * The CPU path: a float tensor is a {@code double[]} (8 bytes an element), an int tensor an
         * {@code int[]}. HotSpot refuses arrays longer than {@code Integer.MAX_VALUE - 8} ("Requested array
         * size exceeds VM limit", whatever the heap), the limit {@code ArraysSupport.SOFT_MAX_ARRAY_LENGTH}
         * of the JDK's own collections.
         */
        JAVA_HEAP(8, Integer.MAX_VALUE - 8, "the CPU path's arrays hold at most " + (Integer.MAX_VALUE - 8));

        /** Bytes one float element takes in this memory (int elements take 4 everywhere). */
        public final int floatBytes;
        /** Elements one buffer may hold. */
        public final long maxElements;
        /** The limit in words, for messages. */
        final String elementLimit;

        Kind(int floatBytes, long maxElements, String elementLimit) {
            this.floatBytes = floatBytes;
            this.maxElements = maxElements;
            this.elementLimit = elementLimit;
        }

        /**
         * Throws a {@link UserError} with {@link #tooLarge} when one buffer of {@code elements} elements
         * cannot exist here.
         */
        public void checkElements(String what, long elements, boolean ints) {
            if (elements > maxElements) {
                throw new UserError(tooLarge(what, elements, ints));
            }
        }

        /**
         * "too large: WHAT need one buffer of N floats (S); LIMIT". {@code what} reads as a plural subject
         * ("the parameters", "the layer 2 outputs for 1000 rows").
         *
         * @param ints whether the buffer holds ints (labels, indices) rather than floats
         */
        public String tooLarge(String what, long elements, boolean ints) {
            return "too large: " + what + " need one buffer of " + elements + (ints ? " ints" : " floats") + " ("
                    + formatWords(elements) + "); " + elementLimit;
        }
    }

    /** A device's limits (kind {@link Kind#DEVICE}). */
    public MemoryLimits(String device, long globalBytes, long maxAllocBytes, String source) {
        this(device, globalBytes, maxAllocBytes, source, Kind.DEVICE);
    }

    /** The device's reported sizes, capped by {@value #PROPERTY} / {@value #ENV} when set. */
    public static MemoryLimits of(String device, long globalBytes, long maxAllocBytes) {
        String property = System.getProperty(PROPERTY);
        String value = property != null ? property : System.getenv(ENV);
        if (value == null || value.isBlank()) {
            return new MemoryLimits(device, globalBytes, maxAllocBytes, "as the device reports");
        }
        String name = property != null ? "-D" + PROPERTY : ENV;
        long cap;
        try {
            cap = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new UserError(name + "=" + value + ": expected a number of bytes");
        }
        if (cap <= 0) {
            throw new UserError(name + "=" + value + ": must be a positive number of bytes");
        }
        return new MemoryLimits(device, Math.min(globalBytes, cap), Math.min(maxAllocBytes, cap),
                "limited by " + name + "=" + cap);
    }

    /**
     * The CPU path's limits: a heap of at most {@code maxHeapBytes} (what {@link Runtime#maxMemory()} reports;
     * {@link Long#MAX_VALUE} when the JVM sets no limit), no byte limit per array beyond it.
     */
    public static MemoryLimits javaHeap(String device, long maxHeapBytes) {
        return new MemoryLimits(device, maxHeapBytes, Long.MAX_VALUE, "Runtime.maxMemory(), set with -Xmx",
                Kind.JAVA_HEAP);
    }

    /** 1536 → "1.5 KiB", 3 → "3 B": short, and exact enough to compare sizes in a message. */
    public static String format(long bytes) {
        return bytes < 1024 ? bytes + " B" : formatLarge(bytes);
    }

    /**
     * The size of {@code elements} 32-bit words, as {@link #format(long)} writes it; taken in double, since
     * the product of two int sizes times 4 can exceed a long.
     */
    public static String formatWords(long elements) {
        return elements < 256 ? 4 * elements + " B" : formatLarge(4.0 * elements);
    }

    private static String formatLarge(double bytes) {
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
