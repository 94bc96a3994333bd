package io.clprop.fuzz;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

/**
 * One blind change to a file's bytes. Positions are drawn up to the unchanged file's length and clamped to the
 * current one when applied (an earlier mutation may have shortened it), so every mutation applies to every
 * file; {@link #apply} logs what it did at which offset, for the failure message.
 */
sealed interface ByteMutation {
    byte[] apply(byte[] in, StringBuilder log);

    record FlipBit(int at, int bit) implements ByteMutation {
        public byte[] apply(byte[] in, StringBuilder log) {
            if (in.length == 0) {
                return in;
            }
            int p = Math.min(at, in.length - 1);
            byte[] out = in.clone();
            out[p] ^= (byte) (1 << bit);
            log.append(String.format("flip bit %d of byte %d (0x%02x → 0x%02x); ", bit, p, in[p] & 0xFF, out[p] & 0xFF));
            return out;
        }

        @Override
        public String toString() {
            return "flip bit " + bit + " at " + at;
        }
    }

    record Overwrite(int at, byte[] bytes) implements ByteMutation {
        public byte[] apply(byte[] in, StringBuilder log) {
            int p = Math.min(at, in.length);
            byte[] out = Arrays.copyOf(in, Math.max(in.length, p + bytes.length));
            System.arraycopy(bytes, 0, out, p, bytes.length);
            log.append("overwrite ").append(bytes.length).append(" bytes at ").append(p).append(" with ")
                    .append(hex(bytes)).append("; ");
            return out;
        }

        @Override
        public String toString() {
            return "overwrite at " + at + " with " + hex(bytes);
        }
    }

    record Truncate(int at) implements ByteMutation {
        public byte[] apply(byte[] in, StringBuilder log) {
            int p = Math.min(at, in.length);
            log.append("truncate to ").append(p).append(" of ").append(in.length).append(" bytes; ");
            return Arrays.copyOf(in, p);
        }

        @Override
        public String toString() {
            return "truncate at " + at;
        }
    }

    record Insert(int at, byte[] bytes) implements ByteMutation {
        public byte[] apply(byte[] in, StringBuilder log) {
            int p = Math.min(at, in.length);
            log.append("insert ").append(hex(bytes)).append(" at ").append(p).append("; ");
            return splice(in, p, 0, bytes);
        }

        @Override
        public String toString() {
            return "insert at " + at + " " + hex(bytes);
        }
    }

    record Delete(int at, int length) implements ByteMutation {
        public byte[] apply(byte[] in, StringBuilder log) {
            int p = Math.min(at, in.length), n = Math.min(length, in.length - p);
            log.append("delete ").append(n).append(" bytes at ").append(p).append("; ");
            return splice(in, p, n, new byte[0]);
        }

        @Override
        public String toString() {
            return "delete " + length + " bytes at " + at;
        }
    }

    /** Copies a run of the file to another place, inserting it: repeated structure (a section twice, say). */
    record Duplicate(int from, int length, int to) implements ByteMutation {
        public byte[] apply(byte[] in, StringBuilder log) {
            int p = Math.min(from, in.length), n = Math.min(length, in.length - p), q = Math.min(to, in.length);
            log.append("copy ").append(n).append(" bytes from ").append(p).append(" to ").append(q).append("; ");
            return splice(in, q, 0, Arrays.copyOfRange(in, p, p + n));
        }

        @Override
        public String toString() {
            return "duplicate " + length + " bytes from " + from + " to " + to;
        }
    }

    /** Any of the mutations, at positions up to {@code length} (the unchanged file's size). */
    static Arbitrary<ByteMutation> any(int length) {
        Arbitrary<Integer> at = Arbitraries.integers().between(0, length);
        Arbitrary<Integer> runLength = Arbitraries.integers().between(1, Math.max(1, Math.min(length, 4096)));
        Arbitrary<byte[]> run = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(16);
        return Arbitraries.oneOf(List.of(
                Combinators.combine(at, Arbitraries.integers().between(0, 7)).as(FlipBit::new),
                Combinators.combine(at, run).as(Overwrite::new),
                at.map(Truncate::new),
                Combinators.combine(at, run).as(Insert::new),
                Combinators.combine(at, runLength).as(Delete::new),
                Combinators.combine(at, runLength, at).as(Duplicate::new)));
    }

    /** One to {@code max} mutations. */
    static Arbitrary<List<ByteMutation>> some(int length, int max) {
        return any(length).list().ofMinSize(1).ofMaxSize(max);
    }

    static byte[] applyAll(List<ByteMutation> mutations, byte[] in, StringBuilder log) {
        byte[] b = in;
        for (ByteMutation m : mutations) {
            b = m.apply(b, log);
        }
        return b;
    }

    /**
     * Sets the last 4 bytes to the CRC-32 of all before them, little-endian, as clprop's container stores it,
     * so that a mutation reaches the checks behind the checksum.
     */
    static byte[] fixCrc(byte[] in, StringBuilder log) {
        if (in.length < 4) {
            return in;
        }
        CRC32 crc = new CRC32();
        crc.update(in, 0, in.length - 4);
        long v = crc.getValue();
        byte[] out = in.clone();
        for (int i = 0; i < 4; i++) {
            out[in.length - 4 + i] = (byte) (v >>> (8 * i));
        }
        log.append("CRC-32 recomputed; ");
        return out;
    }

    static byte[] splice(byte[] in, int at, int remove, byte[] insert) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length + insert.length);
        out.write(in, 0, at);
        out.write(insert, 0, insert.length);
        out.write(in, at + remove, in.length - at - remove);
        return out.toByteArray();
    }

    static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder("0x");
        for (byte x : b) {
            sb.append(String.format("%02x", x & 0xFF));
        }
        return sb.toString();
    }
}
