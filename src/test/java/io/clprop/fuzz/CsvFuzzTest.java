package io.clprop.fuzz;

import io.clprop.data.CsvReader;
import io.clprop.data.CsvReader.HeaderMode;
import io.clprop.data.CsvReader.Options;
import io.clprop.data.Dataset;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link CsvReader}'s entry points on damaged CSV files, with the options train, eval and predict pass: each
 * outcome is data or a one-line {@link io.clprop.util.UserError} of at most {@value Outcome#MAX_MESSAGE}
 * characters (messages quote cells and names, so a million-digit cell must not make a million-character
 * message). Data that reads must keep CsvReader's promises: labels among the classes, and features finite,
 * NaN only for a missing cell where the options allow one.
 */
@AddLifecycleHook(FuzzSettings.class)
class CsvFuzzTest {
    /** Valid files: named classes with a header, class indices without one, an id column and missing cells. */
    static final List<String> BASES = List.of(
            "sepal_length,sepal_width,petal_length,label\n5.1,3.5,1.4,setosa\n4.9,3.0,1.4,setosa\n"
                    + "6.2,2.9,4.3,versicolor\n5.9,3.0,5.1,virginica\n-0.5,1e-3,+2,versicolor\n",
            "0.1,0.2,3\n0.3,0.4,0\r\n0.5 , 0.6, 1.0\n",
            "id,a,\"b, quoted\",label\nr1,1,2,0\nr2,NA,4,1\n\"r\"\"3\",5,,0\n");
    static Path dir;

    /** How a file is read: as each command's options would ask. */
    enum Read {
        LABELLED, LABEL_BY_NAME, LABEL_BY_INDEX, MISSING_ALLOWED, AGAINST_MODEL_CLASSES, AGAINST_CLASS_COUNT,
        NO_HEADER, HEADER, FEATURES, FEATURES_NAMES_CHECKED, KEEP_ID, IGNORE_ID_MISSING_ALLOWED
    }

    @BeforeContainer
    static void folder() throws IOException {
        dir = Files.createTempDirectory("clprop-fuzz-csv");
        // The valid files must read, or the cases below prove nothing.
        Read[] valid = {Read.LABEL_BY_NAME, Read.LABELLED, Read.IGNORE_ID_MISSING_ALLOWED};
        for (int b = 0; b < BASES.size(); b++) {
            Path p = dir.resolve("base.csv");
            Files.writeString(p, BASES.get(b));
            call(p, valid[b]);
        }
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        FuzzFiles.deleteTree(dir);
    }

    record CellEdits(int base, List<CsvEdit> edits, Read read) {
        @Override
        public String toString() {
            return "csv #" + base + ", " + edits + ", read " + read;
        }
    }

    record ByteDamage(int base, List<ByteMutation> mutations, Read read) {
        @Override
        public String toString() {
            return "csv #" + base + ", " + mutations + ", read " + read;
        }
    }

    @Provide
    Arbitrary<CellEdits> cellEdits() {
        return Combinators.combine(Arbitraries.integers().between(0, BASES.size() - 1),
                CsvEdit.any().list().ofMinSize(1).ofMaxSize(4), Arbitraries.of(Read.class)).as(CellEdits::new);
    }

    @Provide
    Arbitrary<ByteDamage> byteDamage() {
        return Arbitraries.integers().between(0, BASES.size() - 1).flatMap(b -> Combinators.combine(
                        ByteMutation.some(BASES.get(b).length(), 4), Arbitraries.of(Read.class))
                .as((m, r) -> new ByteDamage(b, m, r)));
    }

    @Property(tries = 3000, generation = GenerationMode.RANDOMIZED)
    void editedCellsAreReadOrRefusedCleanly(@ForAll("cellEdits") CellEdits e) throws Exception {
        Survey.check(e, () -> {
            List<List<String>> rows = new ArrayList<>();
            List<String> breaks = new ArrayList<>();
            for (String line : BASES.get(e.base()).split("\r?\n")) {
                rows.add(new ArrayList<>(splitCells(line)));
                breaks.add("\n");
            }
            StringBuilder log = new StringBuilder();
            e.edits().forEach(x -> x.apply(rows, breaks, log));
            byte[] bytes = CsvEdit.render(rows, breaks).getBytes(StandardCharsets.UTF_8);
            read(bytes, e.read(), "a " + bytes.length + "-byte CSV file: " + log);
        });
    }

    @Property(tries = 1500, generation = GenerationMode.RANDOMIZED)
    void damagedBytesAreReadOrRefusedCleanly(@ForAll("byteDamage") ByteDamage d) throws Exception {
        Survey.check(d, () -> {
            StringBuilder log = new StringBuilder();
            byte[] bytes = ByteMutation.applyAll(d.mutations(), BASES.get(d.base()).getBytes(StandardCharsets.UTF_8), log);
            read(bytes, d.read(), "a " + bytes.length + "-byte CSV file: " + log);
        });
    }

    /** The base files' cells, quotes kept (a quoted cell holds no line break there, and its commas are inside quotes). */
    private static List<String> splitCells(String line) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        for (char ch : line.toCharArray()) {
            if (ch == '"') {
                quoted = !quoted;
            }
            if (ch == ',' && !quoted) {
                cells.add(cell.toString());
                cell.setLength(0);
            } else {
                cell.append(ch);
            }
        }
        cells.add(cell.toString());
        return cells;
    }

    private static void read(byte[] bytes, Read how, String described) throws Exception {
        FuzzFiles.withFile(dir, ".csv", bytes, file -> read(file, how, described));
    }

    private static void read(Path file, Read how, String described) {
        String reader = "CsvReader";
        String input = described + " read as " + how;
        Outcome.Result<Object> r = Outcome.of(reader, input, () -> call(file, how));
        if (r.kind() == Outcome.Kind.REFUSED) {
            Statistics.collect("refused: " + Outcome.gist(r.error()));
            return;
        }
        Statistics.collect("read");
        boolean missingAllowed = how == Read.MISSING_ALLOWED || how == Read.IGNORE_ID_MISSING_ALLOWED;
        if (r.value() instanceof CsvReader.Labelled l) {
            Dataset d = l.data();
            for (int k : d.labels()) {
                if (k < 0 || k >= d.numClasses()) {
                    throw new Finding(reader + " gave a label outside its classes", reader + " gave label " + k + " of "
                            + d.numClasses() + " classes\n  on " + input);
                }
            }
            checkFeatures(reader, d.features(), missingAllowed, input);
        } else {
            checkFeatures(reader, ((CsvReader.Features) r.value()).values(), missingAllowed, input);
        }
    }

    private static void checkFeatures(String reader, float[] x, boolean missingAllowed, String input) {
        for (int i = 0; i < x.length; i++) {
            if (Float.isInfinite(x[i]) || (Float.isNaN(x[i]) && !missingAllowed)) {
                throw new Finding(reader + " gave a feature value " + x[i], reader + " gave feature value " + x[i]
                        + " at " + i + " ("
                        + Arrays.toString(Arrays.copyOf(x, Math.min(x.length, 8))) + "…)\n  on " + input);
            }
        }
    }

    private static Object call(Path file, Read how) {
        Options defaults = Options.defaults();
        return switch (how) {
            case LABELLED -> CsvReader.readLabelled(file, defaults);
            case LABEL_BY_NAME -> CsvReader.readLabelled(file, new Options(HeaderMode.AUTO, "label"));
            case LABEL_BY_INDEX -> CsvReader.readLabelled(file, new Options(HeaderMode.AUTO, "0"));
            case MISSING_ALLOWED -> CsvReader.readLabelled(file, defaults.withMissing(CsvReader.Missing.ALLOWED));
            case AGAINST_MODEL_CLASSES -> CsvReader.readLabelled(file, defaults, new CsvReader.Classes(3,
                    List.of("setosa", "versicolor", "virginica"), "the model's classes"));
            case AGAINST_CLASS_COUNT -> CsvReader.readLabelled(file, defaults,
                    new CsvReader.Classes(4, List.of(), "the training set's classes"));
            case NO_HEADER -> CsvReader.readLabelled(file, new Options(HeaderMode.ABSENT, null));
            case HEADER -> CsvReader.readLabelled(file, new Options(HeaderMode.PRESENT, null));
            case FEATURES -> CsvReader.readFeatures(file, defaults);
            case FEATURES_NAMES_CHECKED -> CsvReader.readFeatures(file, new Options(HeaderMode.AUTO, "label"),
                    CsvReader.HeaderCheck.NAMES_USABLE);
            case KEEP_ID -> CsvReader.readFeatures(file, new Options(HeaderMode.AUTO, "label").withKeepColumns(
                    List.of("id")));
            case IGNORE_ID_MISSING_ALLOWED -> CsvReader.readLabelled(file, new Options(HeaderMode.AUTO, "label")
                    .withMissing(CsvReader.Missing.ALLOWED).withKeepColumns(List.of("id"), CsvReader.KeptBy.IGNORE_COLUMNS));
        };
    }
}
