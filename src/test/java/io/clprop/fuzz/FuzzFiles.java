package io.clprop.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/** The fuzz tests' scratch files and folders (jqwik has no @TempDir). */
final class FuzzFiles {
    private static final AtomicLong NEXT = new AtomicLong();

    private FuzzFiles() {
    }

    /**
     * A new name in {@code dir} for one case's file: never reused, because jqwik's shrinking of a failed property
     * may still be running in the background (it stops waiting after its time bound, the search goes on) while
     * the next property runs.
     */
    static Path fresh(Path dir, String suffix) {
        return dir.resolve("case" + NEXT.incrementAndGet() + suffix);
    }

    /** Writes {@code bytes} to a fresh file in {@code dir}, runs {@code body} on it, then deletes it. */
    static void withFile(Path dir, String suffix, byte[] bytes, PathBody body) throws Exception {
        Path file = fresh(dir, suffix);
        Files.write(file, bytes);
        try {
            body.accept(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @FunctionalInterface
    interface PathBody {
        void accept(Path file) throws Exception;
    }

    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
