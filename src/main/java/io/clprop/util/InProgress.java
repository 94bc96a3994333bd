package io.clprop.util;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The temporary files of {@link AtomicFiles} writes in progress, removed by a shutdown hook when the JVM
 * exits in the middle of one (SIGINT, SIGTERM, {@code System.exit} from another thread), so an interrupted
 * run leaves only the files it meant to write.
 *
 * <p>One lock orders the hook against each write's rename: either the rename happens first (the new file
 * is complete and in place, nothing to remove) or the hook does (the temporary file is removed and the write
 * does not rename). Registration after the hook has run is refused, so no write starts during shutdown.
 */
final class InProgress {
    private static final Object LOCK = new Object();
    private static final Set<Path> FILES = new LinkedHashSet<>();
    private static boolean shuttingDown;
    private static boolean hookInstalled;

    private InProgress() {
    }

    /**
     * Records {@code tmp} and creates it with {@code create}, both under the lock, so the hook never runs
     * between the two; null (nothing created) when the JVM is already shutting down.
     */
    static <T> T create(Path tmp, IoSupplier<T> create) throws IOException {
        synchronized (LOCK) {
            if (shuttingDown) {
                return null;
            }
            if (!hookInstalled) {
                try {
                    Runtime.getRuntime().addShutdownHook(new Thread(InProgress::removeAll, "clprop-temporary-files"));
                } catch (IllegalStateException e) {
                    return null; // shutdown already under way
                }
                hookInstalled = true;
            }
            T created = create.get();
            FILES.add(tmp);
            return created;
        }
    }

    static void unregister(Path tmp) {
        synchronized (LOCK) {
            FILES.remove(tmp);
        }
    }

    /** A rename that runs while the lock is held; false (and nothing done) if shutdown has begun. */
    static boolean renameUnlessShuttingDown(Path tmp, IoAction rename) throws IOException {
        synchronized (LOCK) {
            if (shuttingDown) {
                return false;
            }
            rename.run();
            FILES.remove(tmp);
            return true;
        }
    }

    interface IoSupplier<T> {
        T get() throws IOException;
    }

    interface IoAction {
        void run() throws IOException;
    }

    private static void removeAll() {
        synchronized (LOCK) {
            shuttingDown = true;
            for (Path p : FILES) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // nothing more can be done while the JVM exits
                }
            }
            FILES.clear();
        }
    }
}
