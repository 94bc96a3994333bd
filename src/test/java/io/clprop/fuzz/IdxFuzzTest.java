package io.clprop.fuzz;

import io.clprop.data.Dataset;
import io.clprop.data.IdxFiles;
import io.clprop.data.MnistFolder;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@link MnistFolder#load} and {@link MnistFolder#loadTest} (and through them IdxReader) on an MNIST-layout
 * folder with one damaged file, raw or gzip-compressed: each outcome is data or a one-line {@link
 * io.clprop.util.UserError}. The damage is blind (bytes of the content, or of the gzip stream) or aimed at the
 * header: a dimension set to an edge value, a magic byte changed, a label out of range. Data that loads must
 * have labels 0..9 and pixels in [0, 1].
 */
@AddLifecycleHook(FuzzSettings.class)
class IdxFuzzTest {
    static final String[] NAMES = {MnistFolder.TRAIN_IMAGES, MnistFolder.TRAIN_LABELS, MnistFolder.TEST_IMAGES,
            MnistFolder.TEST_LABELS};
    static final int TRAIN = 12, TEST = 6, ROWS = 4, COLS = 3;
    static byte[][] contents;
    static Path dir;
    /** The four valid files, raw; each case replaces one and puts it back. */
    static Path folder;

    @BeforeContainer
    static void validFiles() throws IOException {
        dir = Files.createTempDirectory("clprop-fuzz-idx");
        contents = new byte[][]{
                IdxFiles.images(TRAIN, ROWS, COLS, IdxFiles.pixelPattern(TRAIN, ROWS, COLS)),
                IdxFiles.labels(IdxFiles.labelPattern(TRAIN)),
                IdxFiles.images(TEST, ROWS, COLS, IdxFiles.pixelPattern(TEST, ROWS, COLS)),
                IdxFiles.labels(IdxFiles.labelPattern(TEST))};
        folder = Files.createDirectory(dir.resolve("mnist"));
        for (int k = 0; k < NAMES.length; k++) {
            IdxFiles.writeRaw(folder.resolve(NAMES[k]), contents[k]);
        }
        MnistFolder.load(folder); // the valid folder must load, or the cases below prove nothing
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        FuzzFiles.deleteTree(dir);
    }

    /** An aimed change to an IDX file's content (before any compression). */
    sealed interface IdxEdit {
        byte[] apply(byte[] content, StringBuilder log);
    }

    /** Dimension {@code dim} (0: the count; images: 1 rows, 2 columns) set to {@code value}. */
    record SetDimension(int dim, int value) implements IdxEdit {
        public byte[] apply(byte[] content, StringBuilder log) {
            int dims = content.length < 4 ? 0 : content[3] & 0xFF;
            int d = dims == 0 ? 0 : dim % dims;
            if (content.length < 8 + 4 * d) {
                return content;
            }
            byte[] out = content.clone();
            ByteBuffer b = ByteBuffer.wrap(out);
            log.append("dimension ").append(d).append(": ").append(b.getInt(4 + 4 * d)).append(" → ").append(value)
                    .append("; ");
            b.putInt(4 + 4 * d, value);
            return out;
        }

        @Override
        public String toString() {
            return "dimension " + dim + " = " + value;
        }
    }

    /** All dimensions at once (those the file has): products beyond int and long, as a crafted header may claim. */
    record SetDimensions(int count, int rows, int cols) implements IdxEdit {
        public byte[] apply(byte[] content, StringBuilder log) {
            int dims = content.length < 4 ? 0 : content[3] & 0xFF;
            int[] values = {count, rows, cols};
            byte[] out = content.clone();
            ByteBuffer b = ByteBuffer.wrap(out);
            log.append("dimensions");
            for (int d = 0; d < Math.min(dims, 3) && 8 + 4 * d <= out.length; d++) {
                b.putInt(4 + 4 * d, values[d]);
                log.append(" ").append(values[d]);
            }
            log.append("; ");
            return out;
        }

        @Override
        public String toString() {
            return "dimensions " + count + " " + rows + " " + cols;
        }
    }

    /** One of the four magic bytes (0, 0, type, dimension count) set to {@code value}. */
    record SetMagicByte(int at, int value) implements IdxEdit {
        public byte[] apply(byte[] content, StringBuilder log) {
            byte[] out = content.clone();
            log.append("magic byte ").append(at).append(": ").append(out[at] & 0xFF).append(" → ").append(value)
                    .append("; ");
            out[at] = (byte) value;
            return out;
        }

        @Override
        public String toString() {
            return "magic byte " + at + " = " + value;
        }
    }

    /** A data byte (a label, in a label file) set to {@code value}. */
    record SetDataByte(int index, int value) implements IdxEdit {
        public byte[] apply(byte[] content, StringBuilder log) {
            int start = content.length < 4 ? 0 : 4 + 4 * (content[3] & 0xFF);
            if (content.length <= start) {
                return content;
            }
            byte[] out = content.clone();
            int i = start + index % (content.length - start);
            log.append("data byte ").append(i - start).append(" → ").append(value).append("; ");
            out[i] = (byte) value;
            return out;
        }

        @Override
        public String toString() {
            return "data byte " + index + " = " + value;
        }
    }

    /**
     * @param gzip      whether the damaged file is written gzip-compressed (with ".gz"); the others are raw
     * @param target    the damaged file, an index into {@link #NAMES}
     * @param content   blind damage to its content
     * @param gzipBytes blind damage to its gzip stream, when it is compressed
     */
    record Damage(boolean gzip, int target, List<IdxEdit> edits, List<ByteMutation> content,
                  List<ByteMutation> gzipBytes) {
        @Override
        public String toString() {
            return NAMES[target] + (gzip ? ".gz" : "") + ", edits " + edits + ", content " + content
                    + (gzip ? ", gzip stream " + gzipBytes : "");
        }
    }

    @Provide
    Arbitrary<Damage> damage() {
        Arbitrary<Integer> size = Arbitraries.of(0, -1, 1, 2, 5, 6, 7, 11, 12, 13, Integer.MAX_VALUE, Integer.MIN_VALUE,
                65536, 1 << 20, 178_956_970);
        Arbitrary<IdxEdit> edit = Arbitraries.oneOf(List.of(
                Combinators.combine(Arbitraries.integers().between(0, 2), size).as(SetDimension::new),
                Combinators.combine(size, size, size).as(SetDimensions::new),
                Combinators.combine(Arbitraries.integers().between(0, 3),
                        Arbitraries.of(0, 1, 2, 3, 4, 8, 9, 0x0D, 0xFF)).as(SetMagicByte::new),
                Combinators.combine(Arbitraries.integers().between(0, 1000), Arbitraries.of(9, 10, 127, 128, 255))
                        .as(SetDataByte::new)));
        return Combinators.combine(Arbitraries.of(false, true), Arbitraries.integers().between(0, 3),
                edit.list().ofMaxSize(2), ByteMutation.any(contents[0].length).list().ofMaxSize(3),
                ByteMutation.any(200).list().ofMaxSize(2)).as(Damage::new);
    }

    @Property(tries = 2000, generation = GenerationMode.RANDOMIZED)
    void damagedFoldersLoadOrAreRefusedCleanly(@ForAll("damage") Damage d) throws Exception {
        Survey.check(d, () -> {
            // Cases run one after another (shrinking too), so one folder serves them all: each case swaps in its
            // damaged file and puts the valid one back. A folder per case would cost more than the reading.
            StringBuilder log = new StringBuilder();
            byte[] content = contents[d.target()];
            for (IdxEdit e : d.edits()) {
                content = e.apply(content, log);
            }
            content = ByteMutation.applyAll(d.content(), content, log);
            String name = NAMES[d.target()];
            if (d.gzip()) {
                log.append("gzip stream: ");
                Files.delete(folder.resolve(name));
                IdxFiles.writeRaw(folder.resolve(name + ".gz"), ByteMutation.applyAll(d.gzipBytes(),
                        IdxFiles.gzip(content), log));
            } else {
                IdxFiles.writeRaw(folder.resolve(name), content);
            }
            try {
                String input = "a folder whose " + name + (d.gzip() ? ".gz" : "") + " is damaged: " + log;
                Outcome.Result<MnistFolder.TrainTest> all = Outcome.of("MnistFolder.load", input,
                        () -> MnistFolder.load(folder));
                Outcome.Result<Dataset> test = Outcome.of("MnistFolder.loadTest", input,
                        () -> MnistFolder.loadTest(folder));
                if (all.kind() == Outcome.Kind.READ) {
                    check(all.value().train(), input);
                    check(all.value().test(), input);
                }
                if (test.kind() == Outcome.Kind.READ) {
                    check(test.value(), input);
                }
                Statistics.collect(all.kind() == Outcome.Kind.READ ? "loaded" : "refused: " + Outcome.gist(all.error()));
            } finally {
                Files.deleteIfExists(folder.resolve(name + ".gz"));
                IdxFiles.writeRaw(folder.resolve(name), contents[d.target()]);
            }
        });
    }

    private static void check(Dataset d, String input) {
        for (int k : d.labels()) {
            if (k < 0 || k >= MnistFolder.NUM_CLASSES) {
                throw new Finding("MnistFolder loaded a label outside 0..9", "MnistFolder loaded label " + k
                        + "\n  on " + input);
            }
        }
        for (float x : d.features()) {
            if (!(x >= 0 && x <= 1)) {
                throw new Finding("MnistFolder loaded a pixel outside [0, 1]", "MnistFolder loaded pixel " + x
                        + "\n  on " + input);
            }
        }
    }
}
