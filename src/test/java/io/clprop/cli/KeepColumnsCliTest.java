package io.clprop.cli;

import io.clprop.SyntheticData;
import io.clprop.data.Dataset;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.clprop.cli.CliTest.run;
import static io.clprop.cli.ModelCommandsTest.failsCleanly;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * `predict --keep-columns`: columns that are not features (an id, a note) are copied from the input to the
 * output, first and as they were, and left out of the features before those are matched to the model's names;
 * the predictions are those of the same file without them.
 */
class KeepColumnsCliTest {
    static final List<String> CLASSES = List.of("ash", "birch", "cedar");
    @TempDir
    static Path dir;
    static Path model, plain, withIds;
    /** The id and note cells of withIds, row by row, and how the output must write them. */
    static final List<String> IDS = new ArrayList<>(), NOTES = new ArrayList<>();

    @BeforeAll
    static void modelAndData() throws IOException {
        Dataset all = SyntheticData.blobs(300, 3, 3, 0.4, 13);
        StringBuilder train = new StringBuilder("a,b,c,kind\n");
        for (int i = 0; i < 200; i++) {
            float[] x = all.row(i);
            train.append(x[0]).append(',').append(x[1]).append(',').append(x[2]).append(',')
                    .append(CLASSES.get(all.labels()[i])).append('\n');
        }
        Path trainCsv = Files.writeString(dir.resolve("train.csv"), train);
        model = dir.resolve("m.clprop");
        CliTest.Result r = run("train", "--device", "cpu", "--format", "csv", "--data", trainCsv.toString(),
                "--label-column", "kind", "--hidden", "8", "--epochs", "2", "--batch", "25", "--save", model.toString());
        assertEquals(0, r.status(), r.err());

        // The rows to predict: the features in another order than training's, an id and a note among them.
        String[] notes = {"plain", "comma, inside", "a \"quoted\" word", "two\r\nlines", "", " padded "};
        String[] written = {"plain", "\"comma, inside\"", "\"a \"\"quoted\"\" word\"", "\"two\r\nlines\"", "",
                "\" padded \""};
        StringBuilder p = new StringBuilder("c,a,b\n"), k = new StringBuilder("id,c,note,a,b\r\n");
        for (int i = 200; i < 300; i++) {
            float[] x = all.row(i);
            int n = i % notes.length;
            p.append(x[2]).append(',').append(x[0]).append(',').append(x[1]).append('\n');
            k.append("r").append(i).append(',').append(x[2]).append(',').append(written[n]).append(',').append(x[0])
                    .append(',').append(x[1]).append("\r\n");
            IDS.add("r" + i);
            NOTES.add(written[n]);
        }
        plain = Files.writeString(dir.resolve("plain.csv"), p);
        withIds = Files.writeString(dir.resolve("with-ids.csv"), k);
    }

    static List<String> predict(Path input, Path output, String... options) throws IOException {
        List<String> args = new ArrayList<>(List.of("predict", "--model", model.toString(), "--format", "csv",
                "--input", input.toString(), "--output", output.toString(), "--device", "cpu"));
        args.addAll(List.of(options));
        CliTest.Result r = run(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.out() + r.err());
        return List.of(Files.readString(output).split("\n", -1));
    }

    @Test
    void keptColumnsComeFirstAsTheyWere(@TempDir Path out) throws IOException {
        List<String> base = predict(plain, out.resolve("p.csv"));
        predict(withIds, out.resolve("k.csv"), "--keep-columns", "id,note");
        predict(withIds, out.resolve("s.csv"), "--keep-columns", "note,id");
        // The output is LF-separated; a note's own CRLF is inside its quotes and stays as it was.
        StringBuilder expected = new StringBuilder("id,note," + base.get(0) + "\n");
        StringBuilder swapped = new StringBuilder("note,id," + base.get(0) + "\n");
        for (int i = 0; i < IDS.size(); i++) {
            expected.append(IDS.get(i)).append(',').append(NOTES.get(i)).append(',').append(base.get(i + 1)).append('\n');
            swapped.append(NOTES.get(i)).append(',').append(IDS.get(i)).append(',').append(base.get(i + 1)).append('\n');
        }
        assertEquals(expected.toString(), Files.readString(out.resolve("k.csv")));
        assertEquals(swapped.toString(), Files.readString(out.resolve("s.csv")), "in the order asked for");
    }

    @Test
    void keptColumnsMustExistNeedCsvAndAHeader(@TempDir Path out) throws IOException {
        Path pred = Files.writeString(out.resolve("pred.csv"), "old\n");
        String[] base = {"predict", "--model", model.toString(), "--format", "csv", "--input", withIds.toString(),
                "--output", pred.toString(), "--device", "cpu"};
        failsCleanly(out, with(base, "--keep-columns", "id,zz,note,yy"),
                "--keep-columns: no column \"zz\", \"yy\" in " + withIds + " (header: id, c, note, a, b)");
        failsCleanly(out, with(base, "--keep-columns", "id"), withIds + ": the columns do not match the features of "
                + "model " + model + ": unknown \"note\"");
        failsCleanly(out, with(base, "--keep-columns", "id,note", "--no-header"),
                "--keep-columns: columns are named by their header names, but --no-header was given");
        failsCleanly(out, new String[]{"predict", "--model", model.toString(), "--input", withIds.toString(),
                "--output", pred.toString(), "--device", "cpu", "--keep-columns", "id"},
                "--keep-columns applies to --format csv with a header, not idx");
        assertEquals("old\n", Files.readString(pred), "an existing output is left as it was");
    }

    /** --ignore-columns leaves columns out without copying them; with --keep-columns only the kept ones are copied. */
    @Test
    void ignoredColumnsAreLeftOutOfFeaturesAndOutput(@TempDir Path out) throws IOException {
        List<String> base = predict(plain, out.resolve("p.csv"));
        predict(withIds, out.resolve("i.csv"), "--ignore-columns", "id,note");
        assertEquals(String.join("\n", base), Files.readString(out.resolve("i.csv")), "the predictions, nothing else");
        predict(withIds, out.resolve("ki.csv"), "--keep-columns", "id", "--ignore-columns", "note");
        StringBuilder expected = new StringBuilder("id," + base.get(0) + "\n");
        for (int i = 0; i < IDS.size(); i++) {
            expected.append(IDS.get(i)).append(',').append(base.get(i + 1)).append('\n');
        }
        assertEquals(expected.toString(), Files.readString(out.resolve("ki.csv")));

        Path pred = Files.writeString(out.resolve("pred.csv"), "old\n");
        String[] args = {"predict", "--model", model.toString(), "--format", "csv", "--input", withIds.toString(),
                "--output", pred.toString(), "--device", "cpu"};
        failsCleanly(out, with(args, "--ignore-columns", "id,zz"),
                "--ignore-columns: no column \"zz\" in " + withIds);
        failsCleanly(out, with(args, "--keep-columns", "id", "--ignore-columns", "id,note"),
                "--keep-columns/--ignore-columns: \"id\" is given twice");
        assertEquals("old\n", Files.readString(pred), "an existing output is left as it was");
    }

    /** train and eval: an id column named with --ignore-columns is not a feature; the results are the plain file's. */
    @Test
    void trainAndEvalIgnoreColumns(@TempDir Path out) throws IOException {
        Dataset all = SyntheticData.blobs(120, 2, 2, 0.4, 5);
        StringBuilder plainCsv = new StringBuilder("a,b,kind\n"), idCsv = new StringBuilder("id,a,note,b,kind\n");
        for (int i = 0; i < all.size(); i++) {
            float[] x = all.row(i);
            String kind = CLASSES.get(all.labels()[i]);
            plainCsv.append(x[0]).append(',').append(x[1]).append(',').append(kind).append('\n');
            idCsv.append("id").append(i).append(',').append(x[0]).append(",\"n, ").append(i).append("\",")
                    .append(x[1]).append(',').append(kind).append('\n');
        }
        Path p = Files.writeString(out.resolve("plain.csv"), plainCsv), q = Files.writeString(out.resolve("ids.csv"), idCsv);
        Path m1 = out.resolve("plain.clprop"), m2 = out.resolve("ids.clprop");
        String[] common = {"train", "--device", "cpu", "--format", "csv", "--label-column", "kind", "--hidden", "4",
                "--epochs", "2", "--batch", "20"};
        CliTest.Result a = run(with(common, "--data", p.toString(), "--save", m1.toString()));
        CliTest.Result b = run(with(common, "--data", q.toString(), "--save", m2.toString(), "--ignore-columns",
                "id,note"));
        assertEquals(0, a.status(), a.err());
        assertEquals(0, b.status(), b.err());
        assertEquals(losses(a.out()), losses(b.out()), "the same training: " + b.out());
        CliTest.Result e = run("eval", "--model", m2.toString(), "--format", "csv", "--data", q.toString(),
                "--label-column", "kind", "--ignore-columns", "note,id", "--device", "cpu");
        assertEquals(0, e.status(), e.err());
        CliTest.Result e1 = run("eval", "--model", m1.toString(), "--format", "csv", "--data", p.toString(),
                "--label-column", "kind", "--device", "cpu");
        assertEquals(e1.out().lines().filter(l -> l.startsWith("accuracy")).toList(),
                e.out().lines().filter(l -> l.startsWith("accuracy")).toList());
        CliTest.Result refused = run(with(common, "--data", q.toString(), "--ignore-columns", "id"));
        assertEquals(2, refused.status());
        failsCleanly(out, new String[]{"train", "--device", "cpu", "--ignore-columns", "id"},
                "--ignore-columns applies to --format csv, not idx");
    }

    /** Each epoch's "train_loss X" (the rest of an epoch line holds timings). */
    private static List<String> losses(String text) {
        List<String> out = new ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("train_loss \\S+").matcher(text);
        while (m.find()) {
            out.add(m.group());
        }
        assertEquals(2, out.size(), text);
        return out;
    }

    static String[] with(String[] base, String... more) {
        List<String> all = new ArrayList<>(List.of(base));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
