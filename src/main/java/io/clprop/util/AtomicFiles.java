package io.clprop.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * Writes a file so that it is either the old one or the complete new one: a temporary file beside it,
 * every byte written (a short write is continued, an error is an error), flushed to disk, then renamed over
 * the target, and the folder flushed so the rename is durable. Any failure on the way — a full disk
 * (ENOSPC), a quota, EIO, a failed flush — is a {@link UserError} naming the file and the cause, the
 * temporary file is removed, and the previous file at the target is untouched.
 *
 * <p>Temporary files are named {@code .NAME.PID.RANDOM.tmp}. A process killed inside a write (SIGKILL, a power
 * cut) leaves its temporary file behind; the next write of the same target removes those whose process is
 * gone. SIGINT, SIGTERM and {@code System.exit} run a shutdown hook that removes the temporary files of writes
 * still in progress (see {@link InProgress}).
 *
 * <p>Permissions: a new file gets the ordinary mode the umask gives (0644 under the usual umask 022), as
 * other tools' output does; a file that replaces an existing one takes that file's permission bits, so a
 * model the user made private stays private.
 */
public final class AtomicFiles {
    /**
     * Fault injection for the crash tests: milliseconds to wait after the temporary file is complete and
     * before the rename, so a test can kill the process inside a write deterministically. 0 normally.
     */
    private static final long PAUSE_BEFORE_RENAME_MS = parsePause(System.getenv("CLPROP_FAULT_PAUSE_BEFORE_RENAME_MS"));
    private static final String TMP_SUFFIX = ".tmp";
    /**
     * Temporary files in the name format of earlier versions ({@code .NAME.RANDOM.tmp}, no process id) are
     * taken as abandoned once they are this old: no write takes that long between creating and renaming.
     */
    static final Duration LEGACY_TMP_AGE = Duration.ofMinutes(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {
    }

    private static long parsePause(String v) {
        try {
            return v == null ? 0 : Math.max(0, Long.parseLong(v.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Where the bytes go: the temporary file's channel. Tests put a faulty one in its place. */
    interface ChannelOpener {
        FileChannel open(Path tmp) throws IOException;
    }

    private static final ChannelOpener CREATE_NEW = tmp -> FileChannel.open(tmp, StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE);

    public static void writeBytes(Path target, byte[] content) {
        writeBytes(target, content, CREATE_NEW);
    }

    public static void writeString(Path target, String content) {
        writeBytes(target, content.getBytes(StandardCharsets.UTF_8));
    }

    static void writeBytes(Path target, byte[] content, ChannelOpener opener) {
        Path dir = target.toAbsolutePath().getParent();
        removeAbandonedTemporaries(dir, target.getFileName().toString());
        Path tmp = dir.resolve(temporaryName(target.getFileName().toString()));
        boolean renamed = false;
        try {
            FileChannel opened = InProgress.create(tmp, () -> opener.open(tmp));
            if (opened == null) {
                throw new UserError(target + ": not written: clprop is shutting down");
            }
            try (FileChannel ch = opened) {
                copyPermissions(target, tmp);
                writeFully(ch, ByteBuffer.wrap(content));
                ch.force(true);
            }
            if (PAUSE_BEFORE_RENAME_MS > 0) {
                pause(PAUSE_BEFORE_RENAME_MS);
            }
            renamed = InProgress.renameUnlessShuttingDown(tmp, () -> move(tmp, target));
            if (!renamed) {
                throw new UserError(target + ": not written: clprop is shutting down");
            }
            syncFolder(dir);
        } catch (IOException e) {
            throw new UserError(target + ": cannot write: " + cause(e), e);
        } finally {
            if (!renamed) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the original error is the one worth reporting
                }
            }
            InProgress.unregister(tmp);
        }
    }

    /**
     * FileChannel.write may write fewer bytes than asked — on a nearly full disk write(2) returns a short
     * count before it fails with ENOSPC — so it is called until the buffer is empty; the call after a short
     * one then reports the error.
     */
    static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static void move(Path tmp, Path target) throws IOException {
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** An existing target's permission bits, onto its replacement (POSIX file systems; elsewhere nothing). */
    private static void copyPermissions(Path target, Path tmp) throws IOException {
        Set<PosixFilePermission> mode;
        try {
            mode = Files.getPosixFilePermissions(target);
        } catch (NoSuchFileException | UnsupportedOperationException e) {
            return;
        }
        Files.setPosixFilePermissions(tmp, mode);
    }

    static String temporaryName(String targetName) {
        return "." + targetName + "." + ProcessHandle.current().pid() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36)
                + TMP_SUFFIX;
    }

    /**
     * Removes the temporary files of earlier writes of {@code targetName} in {@code dir} whose process has
     * ended (killed inside a write). Those of a live process — another clprop writing the same target right
     * now — are left alone. Best effort: a file that cannot be listed or removed is left as it is.
     */
    static void removeAbandonedTemporaries(Path dir, String targetName) {
        String prefix = "." + targetName + ".";
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir,
                p -> isTemporaryOf(p.getFileName().toString(), prefix))) {
            for (Path p : entries) {
                if (abandoned(p, p.getFileName().toString().substring(prefix.length()))) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            // best effort: the write itself reports what matters
        }
    }

    private static boolean isTemporaryOf(String name, String prefix) {
        return name.startsWith(prefix) && name.endsWith(TMP_SUFFIX) && name.length() > prefix.length() + TMP_SUFFIX.length();
    }

    /** {@code middle} is "PID.RANDOM" (this version) or "RANDOM" (earlier versions, no process id). */
    private static boolean abandoned(Path p, String middleAndSuffix) throws IOException {
        String middle = middleAndSuffix.substring(0, middleAndSuffix.length() - TMP_SUFFIX.length());
        int dot = middle.indexOf('.');
        if (dot < 0) {
            if (!middle.chars().allMatch(Character::isDigit)) {
                return false;
            }
            FileTime modified = Files.getLastModifiedTime(p);
            return modified.toInstant().plus(LEGACY_TMP_AGE).isBefore(java.time.Instant.now());
        }
        long pid;
        try {
            pid = Long.parseLong(middle.substring(0, dot));
        } catch (NumberFormatException e) {
            return false; // not a name this class makes: not ours to remove
        }
        if (!middle.substring(dot + 1).matches("[0-9a-z]{1,13}")) {
            return false;
        }
        return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
    }

    /**
     * The cause in the words of the system's error message, e.g. "no space left on device", "disk quota
     * exceeded", "input/output error", "read-only file system", "permission denied".
     */
    static String cause(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "the folder does not exist";
        }
        String m = e instanceof FileSystemException fse && fse.getReason() != null ? fse.getReason() : e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        m = m.strip();
        return m.substring(0, 1).toLowerCase(Locale.ROOT) + m.substring(1);
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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

    /**
     * Fails before any work if {@code file} could not be written afterwards (no name, a folder, a missing or
     * read-only folder), so that a long run does not end by failing to save its result.
     *
     * @param subject what gave the file, starting the message: a setting ({@code Wording.setting("plotFile")})
     *                or, on the command line, the option
     */
    public static void checkWritable(Path file, String subject) {
        if (file.toString().isEmpty()) {
            throw new UserError(subject + ": needs a file name, got an empty one");
        }
        if (Files.isDirectory(file)) {
            throw new UserError(subject + " " + file + ": is a folder");
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new UserError(subject + " " + file + ": folder " + dir + " does not exist");
        }
        if (!Files.isWritable(dir)) {
            throw new UserError(subject + " " + file + ": folder " + dir + " is not writable");
        }
    }
}
