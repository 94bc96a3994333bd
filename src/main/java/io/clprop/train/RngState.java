package io.clprop.train;

import org.apache.commons.math3.random.AbstractWell;
import org.apache.commons.math3.random.Well19937c;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.List;

/**
 * The training generator as a checkpoint keeps it: a {@link Well19937c}, Java-serialized, and on reading
 * checked completely, because its fields index its own arrays: {@code index} indexes the 624-word state
 * {@code v}, and the tables {@code iRm1, iRm2, i1, i2, i3} map an index to the indices of the words it is
 * combined with. A crafted state (an index outside {@code v}, a short {@code v}, a table entry off the end)
 * deserializes without complaint and throws ArrayIndexOutOfBounds later, in the middle of training.
 *
 * <p>Why keep the serialized form and check it, rather than store the words and the index as an i32
 * section: every checkpoint written so far has this form and must keep resuming bit for bit, so the
 * serialized form must be read (and checked) anyway; the serialized form also carries the generator's
 * private cached Gaussian (BitsStreamGenerator.nextGaussian), which an explicit form would have to add; and
 * commons-math offers no public way to set a Well generator's words, so restoring an explicit form would
 * need reflection into the same fields this check reads. The tables are not state at all — they are fixed
 * by Well19937c's parameters — so they are compared with a fresh generator's.
 */
final class RngState {
    /**
     * At most this many characters of base64 in a checkpoint: a serialized Well19937c is about 15 KB
     * (20 000 characters); the bound keeps a forged field from being decoded and deserialized at any size.
     */
    static final int MAX_BASE64 = 64 * 1024;
    /** Only commons-math's generator classes and int arrays, so a crafted stream builds no other objects. */
    private static final String FILTER = "maxdepth=4;maxarray=1000;org.apache.commons.math3.random.*;[I;!*";
    private static final List<String> TABLES = List.of("iRm1", "iRm2", "i1", "i2", "i3");
    private static final Well19937c REFERENCE = new Well19937c(0);

    private RngState() {
    }

    static byte[] write(Well19937c g) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * The generator {@link #write} stored in {@code state}, checked as a whole.
     *
     * @throws IllegalArgumentException naming the problem ("index 624 is outside 0..623")
     */
    static Well19937c read(byte[] state) {
        Object o;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(state))) {
            in.setObjectInputFilter(ObjectInputFilter.Config.createFilter(FILTER));
            o = in.readObject();
        } catch (EOFException e) {
            throw new IllegalArgumentException("not a serialized Well19937c generator (truncated)");
        } catch (InvalidClassException e) {
            throw new IllegalArgumentException("not a serialized Well19937c generator (it holds a class a generator "
                    + "state may not hold)");
        } catch (IOException | ClassNotFoundException | RuntimeException e) {
            throw new IllegalArgumentException("not a serialized Well19937c generator (the stream is damaged)");
        }
        if (o == null || o.getClass() != Well19937c.class) {
            throw new IllegalArgumentException("a serialized " + (o == null ? "null" : o.getClass().getSimpleName())
                    + ", expected a Well19937c");
        }
        Well19937c g = (Well19937c) o;
        int[] v = (int[]) get(g, "v");
        int words = ((int[]) get(REFERENCE, "v")).length;
        if (v == null || v.length != words) {
            throw new IllegalArgumentException("a state of " + (v == null ? 0 : v.length) + " words, expected "
                    + words);
        }
        for (String table : TABLES) {
            if (!Arrays.equals((int[]) get(g, table), (int[]) get(REFERENCE, table))) {
                throw new IllegalArgumentException("index table " + table + " differs from Well19937c's");
            }
        }
        int index = (Integer) get(g, "index");
        if (index < 0 || index >= words) {
            throw new IllegalArgumentException("index " + index + " is outside 0.." + (words - 1));
        }
        return g;
    }

    /** A protected field of AbstractWell (commons-math is on the class path, so it may be opened). */
    private static Object get(Well19937c g, String name) {
        try {
            Field f = AbstractWell.class.getDeclaredField(name);
            f.setAccessible(true);
            return f.get(g);
        } catch (ReflectiveOperationException e) {
            // Another commons-math than the one clprop is built with: a build problem, not a bad checkpoint.
            throw new LinkageError("commons-math's AbstractWell has no field " + name, e);
        }
    }
}
