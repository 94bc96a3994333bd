package io.clprop.fuzz;

import java.util.Map;
import java.util.TreeMap;

/**
 * A property stops at its first failing case and shrinks it, so one bug hides the others behind it. With
 * {@code -Dclprop.fuzz.survey=true} each property instead runs all its cases, records every failure under a
 * key (the reader, the exception and where it was thrown, or the broken promise), and prints one line per key
 * with its count and the shortest case that showed it; the property then fails once if anything was found.
 */
final class Survey {
    static final String PROPERTY = "clprop.fuzz.survey";

    private record Seen(int count, String sample, String message) {
    }

    private static final Map<String, Map<String, Seen>> BY_PROPERTY = new TreeMap<>();
    /** The running property's label, set by {@link FuzzSettings}. */
    static volatile String current = "?";

    private Survey() {
    }

    static boolean on() {
        return Boolean.getBoolean(PROPERTY);
    }

    /** Runs one case; in survey mode a failure is recorded under {@code property} instead of thrown. */
    static void check(Object sample, ThrowingRunnable body) throws Exception {
        String property = current;
        if (!on()) {
            body.run();
            return;
        }
        try {
            body.run();
        } catch (AssertionError e) {
            String message = String.valueOf(e.getMessage());
            String key = e instanceof Finding f ? f.kind : key(message);
            String s = String.valueOf(sample);
            synchronized (BY_PROPERTY) {
                BY_PROPERTY.computeIfAbsent(property, p -> new TreeMap<>()).merge(key, new Seen(1, s, message),
                        (a, b) -> new Seen(a.count + 1, b.sample.length() < a.sample.length() ? b.sample : a.sample,
                                b.sample.length() < a.sample.length() ? b.message : a.message));
            }
        }
    }

    /** A failure that is not a {@link Finding}: its first line, numbers left out. */
    private static String key(String message) {
        return message.split("\n")[0].replaceAll("[0-9]+", "N");
    }

    /** Prints what {@code property} found and fails once if it found anything. */
    static void report(String property) {
        if (!on()) {
            return;
        }
        Map<String, Seen> found;
        synchronized (BY_PROPERTY) {
            found = BY_PROPERTY.remove(property);
        }
        if (found == null) {
            System.out.println("survey " + property + ": nothing found");
            return;
        }
        StringBuilder sb = new StringBuilder("survey " + property + ": " + found.size() + " kinds of failure\n");
        found.forEach((k, f) -> sb.append(String.format("  [%d×] %s%n      shortest case: %s%n      %s%n", f.count, k,
                f.sample, f.message.replace("\n", "\n      "))));
        System.out.println(sb);
        throw new AssertionError(property + ": " + found.size() + " kinds of failure (see the survey above)");
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
