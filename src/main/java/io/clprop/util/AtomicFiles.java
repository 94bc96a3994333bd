package io.clprop.util;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a file so that it is either the old one or the complete new one: a temporary file beside it,
 * flushed to disk, then renamed over the target. A crash or error leaves no half-written output.
 */
public final class AtomicFiles {
    /**
     * Fault injection for the crash tests: milliseconds to wait after the temporary file is complete and
     * before the rename, so a test can kill the process inside a write deterministically. 0 normally.
     */
    private static final long PAUSE_BEFORE_RENAME_MS = parsePause(System.getenv("CLPROP_FAULT_PAUSE_BEFORE_RENAME_MS"));

    private AtomicFiles() {
    }

    private static long parsePause(String v) {
        try {
            return v == null ? 0 : Math.max(0, Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public static void writeBytes(Path target, byte[] content) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap(content));
                ch.force(true);
            }
            if (PAUSE_BEFORE_RENAME_MS > 0) {
                try {
                    Thread.sleep(PAUSE_BEFORE_RENAME_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            syncFolder(dir);
        } catch (IOException e) {
            throw new UserError(target + ": cannot write (" + e.getMessage() + ")", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original error is the one worth reporting
                }
            }
        }
    }

    /**
     * Makes the rename itself durable: on Linux a directory opened for reading can be fsync'ed. Elsewhere
     * (or where the file system refuses) the rename is still atomic, only not yet on disk.
     */
    private static void syncFolder(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort, see above
        }
    }

    public static void writeString(Path target, String content) {
        writeBytes(target, content.getBytes(StandardCharsets.UTF_8));
    }
}
