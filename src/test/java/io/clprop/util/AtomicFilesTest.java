package io.clprop.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The atomic write against the faults a disk can give: short writes, an I/O error part-way, a failed flush
 * (injected through the channel, since a real EIO cannot be had on demand; ENOSPC is tried on a real full
 * file system in FullDiskCliTest), and what it leaves behind: permissions, and temporary files of writes that
 * were killed.
 */
class AtomicFilesTest {
    static final byte[] OLD = "the previous file\n".getBytes();

    static byte[] content(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void shortWritesAreContinuedUntilEveryByteIsWritten(@TempDir Path dir) throws IOException {
        // A channel that takes at most 1000 bytes a call, as write(2) does on a nearly full disk or a pipe.
        Path f = dir.resolve("m.clprop");
        byte[] want = content(52 * 1024 + 7);
        AtomicFiles.writeBytes(f, want, tmp -> new FaultyChannel(open(tmp), 1000, Long.MAX_VALUE, false));
        assertArrayEquals(want, Files.readAllBytes(f));
    }

    @Test
    void anIoErrorPartWayLeavesThePreviousFileAndNoTemporary(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("m.clprop");
        Files.write(f, OLD);
        UserError e = assertThrows(UserError.class, () -> AtomicFiles.writeBytes(f, content(100_000),
                tmp -> new FaultyChannel(open(tmp), 4096, 16 * 1024, false)));
        assertEquals(f + ": cannot write: input/output error", e.getMessage());
        assertArrayEquals(OLD, Files.readAllBytes(f));
        assertEquals(List.of("m.clprop"), names(dir));
    }

    @Test
    void aFailedFlushIsAnErrorToo(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("ckpt");
        Files.write(f, OLD);
        UserError e = assertThrows(UserError.class, () -> AtomicFiles.writeBytes(f, content(10_000),
                tmp -> new FaultyChannel(open(tmp), Integer.MAX_VALUE, Long.MAX_VALUE, true)));
        assertTrue(e.getMessage().startsWith(f + ": cannot write: "), e.getMessage());
        assertArrayEquals(OLD, Files.readAllBytes(f));
        assertEquals(List.of("ckpt"), names(dir));
    }

    @Test
    void aMissingFolderIsNamed(@TempDir Path dir) {
        Path f = dir.resolve("no/such/folder/m.clprop");
        UserError e = assertThrows(UserError.class, () -> AtomicFiles.writeString(f, "x"));
        assertEquals(f + ": cannot write: the folder does not exist", e.getMessage());
    }

    @Test
    void aNewFileGetsTheModeTheUmaskGives(@TempDir Path dir) throws IOException {
        // The mode any program's new file gets here (0644 under umask 022), not createTempFile's 0600.
        Path plain = Files.createFile(dir.resolve("plain"));
        Path f = dir.resolve("m.clprop");
        AtomicFiles.writeString(f, "x");
        assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(plain)),
                PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        assertTrue(Files.getPosixFilePermissions(f).contains(PosixFilePermission.OTHERS_READ)
                        || !Files.getPosixFilePermissions(plain).contains(PosixFilePermission.OTHERS_READ),
                "readable by others where the umask allows it");
    }

    @Test
    void aReplacedFileKeepsItsMode(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("private.clprop");
        Files.write(f, OLD);
        Set<PosixFilePermission> mine = PosixFilePermissions.fromString("rw-------");
        Files.setPosixFilePermissions(f, mine);
        AtomicFiles.writeString(f, "new");
        assertEquals(mine, Files.getPosixFilePermissions(f));
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r-----"));
        AtomicFiles.writeString(f, "newer");
        assertEquals(PosixFilePermissions.fromString("rw-r-----"), Files.getPosixFilePermissions(f));
    }

    @Test
    void temporariesOfKilledWritesAreRemovedByTheNextWriteOfTheSameTarget(@TempDir Path dir) throws Exception {
        long dead = deadPid();
        long alive = ProcessHandle.current().parent().orElseThrow().pid();
        String killed = ".run.ckpt." + dead + ".k3j9x0.tmp";
        String someoneWriting = ".run.ckpt." + alive + ".a1b2c3.tmp";
        String legacyOld = ".run.ckpt.8734512093485712.tmp";
        String legacyNew = ".run.ckpt.1234567890123.tmp";
        String otherTarget = ".model.clprop." + dead + ".k3j9x0.tmp";
        String notOurs = ".run.ckpt.notes.tmp";
        for (String n : List.of(killed, someoneWriting, legacyOld, legacyNew, otherTarget, notOurs)) {
            Files.write(dir.resolve(n), OLD);
        }
        Files.setLastModifiedTime(dir.resolve(legacyOld), FileTime.from(Instant.now().minus(AtomicFiles.LEGACY_TMP_AGE)
                .minusSeconds(60)));
        AtomicFiles.writeString(dir.resolve("run.ckpt"), "state");
        assertEquals(List.of(legacyNew, otherTarget, someoneWriting, notOurs, "run.ckpt").stream().sorted().toList(),
                names(dir), "only the killed write's and the old abandoned temporaries are gone");
    }

    /** The id of a process that has ended (a child started and waited for). */
    static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long pid = p.pid();
        assertTrue(ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
        return pid;
    }

    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    static FileChannel open(Path tmp) throws IOException {
        return FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /**
     * A channel that writes at most {@code perCall} bytes a call, fails with EIO's message once
     * {@code failAfter} bytes are written, and optionally fails its flush.
     */
    static final class FaultyChannel extends FileChannel {
        private final FileChannel inner;
        private final int perCall;
        private final long failAfter;
        private final boolean failForce;
        private long written;

        FaultyChannel(FileChannel inner, int perCall, long failAfter, boolean failForce) {
            this.inner = inner;
            this.perCall = perCall;
            this.failAfter = failAfter;
            this.failForce = failForce;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            if (written >= failAfter) {
                throw new IOException("Input/output error");
            }
            int n = (int) Math.min(Math.min(perCall, src.remaining()), failAfter - written);
            ByteBuffer part = src.slice().limit(n);
            int w = inner.write(part);
            src.position(src.position() + w);
            written += w;
            return w;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            if (failForce) {
                throw new IOException("Input/output error");
            }
            inner.force(metaData);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return inner.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return inner.read(dsts, offset, length);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long position() throws IOException {
            return inner.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            inner.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return inner.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            inner.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return inner.read(dst, position);
        }

        @Override
        public int write(ByteBuffer src, long position) {
            throw new UnsupportedOperationException();
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) {
            throw new UnsupportedOperationException();
        }

        @Override
        protected void implCloseChannel() throws IOException {
            inner.close();
        }
    }
}
