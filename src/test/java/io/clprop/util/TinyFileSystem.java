package io.clprop.util;

import io.clprop.TestDevices;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real, tiny file system for tests of what happens when the disk fills: a tmpfs of a few hundred KiB
 * mounted on a fresh folder (root only), and a filler file that leaves exactly as much free space as a test
 * asks for. The kernel's own ENOSPC and short writes are what the code under test meets, not a simulation.
 * Outside CI a machine where it cannot be mounted (not root, no mount) skips; in CI (CI=true) that fails.
 */
public final class TinyFileSystem implements AutoCloseable {
    /** tmpfs allocates whole pages. */
    public static final int PAGE = 4096;
    private final Path mountPoint;
    private final Path filler;

    private TinyFileSystem(Path mountPoint) {
        this.mountPoint = mountPoint;
        this.filler = mountPoint.resolve("filler");
    }

    /** Mounts a tmpfs of {@code kib} KiB on {@code dir} (an empty folder). */
    public static TinyFileSystem mount(Path dir, int kib) {
        String why;
        try {
            Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + kib + "k,mode=0755", "tmpfs",
                    dir.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return new TinyFileSystem(dir);
            }
            why = "mount -t tmpfs failed: " + out;
        } catch (IOException e) {
            why = "cannot run mount: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            why = "interrupted";
        }
        if (TestDevices.inCi()) {
            Assertions.fail("CI=true and no tiny file system for the full-disk tests (they need root): " + why);
        }
        Assumptions.abort("no tiny file system (needs root): " + why);
        throw new IllegalStateException(why);
    }

    public Path root() {
        return mountPoint;
    }

    public Path resolve(String name) {
        return mountPoint.resolve(name);
    }

    public long free() {
        try {
            return Files.getFileStore(mountPoint).getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Grows or shrinks the filler file so that {@code bytes} (rounded down to pages) stay free. */
    public void leaveFree(long bytes) {
        try {
            Files.deleteIfExists(filler);
            long size = Math.max(0, (free() - bytes) / PAGE * PAGE);
            try (FileChannel ch = FileChannel.open(filler, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                ByteBuffer zeros = ByteBuffer.allocate(PAGE);
                for (long written = 0; written < size; written += PAGE) {
                    zeros.clear();
                    while (zeros.hasRemaining()) {
                        ch.write(zeros);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The names in the root folder, other than the filler, sorted. */
    public java.util.List<String> names() {
        try (Stream<Path> s = Files.list(mountPoint)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> !n.equals("filler")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Empties the file system (between tests that share it). */
    public void clear() {
        try (Stream<Path> s = Files.list(mountPoint)) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            Process p = new ProcessBuilder("umount", mountPoint.toString()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
