package io.clprop.backend;

import io.clprop.util.UserError;

/**
 * How much memory a device offers: in all ({@code CL_DEVICE_GLOBAL_MEM_SIZE}) and per buffer
 * ({@code CL_DEVICE_MAX_MEM_ALLOC_SIZE}).
 *
 * <p>For tests and diagnosis, the system property {@value #PROPERTY} or the environment variable
 * {@value #ENV} (bytes; the property wins) lowers both to at most that many bytes, so that "the device is
 * too small" can be tried on any device. It never raises them.
 */
public record MemoryLimits(String device, long globalBytes, long maxAllocBytes, String source) {
    public static final String ENV = "CLPROP_DEVICE_MEMORY_LIMIT";
    public static final String PROPERTY = "clprop.device.memory.limit";

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

    /** 1536 → "1.5 KiB", 3 → "3 B": short, and exact enough to compare sizes in a message. */
    public static String format(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
