package io.clprop.cli;

import io.clprop.model.ModelFile;
import io.clprop.backend.Activation;
import io.clprop.nn.LossKind;
import io.clprop.nn.NetworkSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;

import static io.clprop.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files built to break the readers: a model header with a number of a billion-digit magnitude, nesting a
 * hundred thousand levels deep, a number of ten million digits, names of a million characters; a CSV file
 * with a cell of five million digits or a column name of a million characters. Each is refused like any bad
 * input (status 2, one line "clprop: error: FILE: …", no stack trace), and the line stays short: content
 * from the file is quoted cut to a few dozen characters.
 */
class HostileFilesCliTest {
    /** Far more than a message needs, far less than the content these files hold. */
    static final int SHORT = 300;

    @TempDir
    static Path shared;
    static Path input;
    static String goodHeader;
    static byte[] goodData;

    @BeforeAll
    static void aGoodModel() throws IOException {
        NetworkSpec spec = NetworkSpec.mlp(3, new int[]{4}, new Activation[]{Activation.TANH}, 2, LossKind.SOFTMAX_CE);
        float[] p = new float[Math.toIntExact(spec.parameterCount())];
        Arrays.fill(p, 0.25f);
        Path good = shared.resolve("good.model");
        new ModelFile(spec, p, null, List.of("no", "yes"), List.of("a", "b", "c"), null).write(good);
        byte[] bytes = Files.readAllBytes(good);
        int h = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(12);
        goodHeader = new String(bytes, 16, h, StandardCharsets.UTF_8);
        goodData = Arrays.copyOfRange(bytes, 16 + h, bytes.length - 4);
        input = Files.writeString(shared.resolve("in.csv"), "a,b,c\n1,2,3\n");
        // The crafted headers below are edits of this text: make sure each edit finds its place.
        for (String s : new String[]{"\"inputs\": 3", "\"count\": 26", "\"classes\": [", "\"yes\"", "\"trained\": {}"}) {
            assertTrue(goodHeader.contains(s), s + " in " + goodHeader);
        }
    }

    /** A model file whose header is {@code header}, with the good model's data and a correct CRC-32. */
    static Path model(Path dir, String header) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(16 + json.length + goodData.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.put(ModelFile.MAGIC.getBytes(StandardCharsets.US_ASCII)).putInt(ModelFile.VERSION).putInt(json.length).put(json).put(goodData);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue());
        return Files.write(dir.resolve("crafted.model"), b.array());
    }

    static String header(String damage) {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        String longName = "n".repeat(1_000_000);
        return switch (damage) {
            case "deep nesting" -> goodHeader.replace("\"trained\": {}", "\"trained\": {\"x\": " + deep + "}");
            case "huge exponent" -> goodHeader.replace("\"inputs\": 3", "\"inputs\": 1e999999999");
            case "tiny exponent" -> goodHeader.replace("\"count\": 26", "\"count\": -1e-999999999");
            case "ten million digits" -> goodHeader.replace("\"inputs\": 3", "\"inputs\": 3" + "0".repeat(10_000_000));
            case "long class names" -> goodHeader.replace("\"classes\": [", "\"classes\": [\"" + longName + "\", \""
                    + longName + "\", ").replace("\"yes\"", "\"yes\", \"maybe\"");
            case "duplicate key" -> goodHeader.replace("\"inputs\": 3", "\"inputs\": 3, \"inputs\": 4");
            default -> throw new IllegalArgumentException(damage);
        };
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "eval    | deep nesting       | nested deeper than 64 levels",
            "predict | deep nesting       | nested deeper than 64 levels",
            "eval    | huge exponent      | 1e999999999",
            "predict | huge exponent      | 1e999999999",
            "eval    | tiny exponent      | -1e-999999999",
            "eval    | ten million digits | 10000001 characters",
            "predict | ten million digits | 10000001 characters",
            "eval    | long class names   | appears twice",
            "eval    | duplicate key      | \"inputs\" appears twice"})
    void hostileModelHeadersAreRefusedInOneShortLine(String command, String damage, String expect, @TempDir Path dir)
            throws IOException {
        Path m = model(dir, header(damage));
        Path out = Files.createDirectory(dir.resolve("out"));
        CliTest.Result r = command.equals("eval")
                ? run("eval", "--device", "cpu", "--model", m.toString())
                : run("predict", "--device", "cpu", "--model", m.toString(), "--format", "csv", "--input",
                input.toString(), "--output", out.resolve("p.csv").toString());
        String err = BadInput.assertRejected(r, out, "clprop: error: " + m + ": ", expect);
        assertTrue(err.startsWith("clprop: error: "), err);
        assertTrue(err.length() < SHORT, () -> err.length() + " characters: " + err.substring(0, Math.min(500, err.length())));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "five million digits   | train.csv:2:2: | outside the float32 range",
            "long column name      | train.csv:3:2: | is not a number",
            "repeated long name    | train.csv:1:3: | appears twice",
            "long label            | train.csv:3:3: | is not one of"})
    void hostileCsvFilesAreRefusedInOneShortLine(String damage, String where, String expect, @TempDir Path dir)
            throws IOException {
        String digits = "9".repeat(5_000_000), name = "c".repeat(1_000_000);
        String csv = switch (damage) {
            case "five million digits" -> "a,b,kind\n1," + digits + ",ash\n3,4,ash\n";
            case "long column name" -> "a," + name + ",kind\n1,2,ash\n3,x4,ash\n";
            case "repeated long name" -> "a," + name + "," + name + ",kind\n1,2,3,ash\n";
            default -> "a,b,kind\n1,2,ash\n3,4," + name + "\n";
        };
        Path data = Files.writeString(dir.resolve("train.csv"), csv);
        Path test = Files.writeString(dir.resolve("test.csv"), "a,b,kind\n1,2,ash\n");
        Path out = Files.createDirectory(dir.resolve("out"));
        List<String> args = new java.util.ArrayList<>(List.of("train", "--device", "cpu", "--format", "csv", "--data",
                data.toString(), "--label-column", "kind", "--epochs", "1", "--batch", "1", "--save",
                out.resolve("m.model").toString()));
        if (damage.equals("long label")) {
            // A label in the test set that the training set does not have, so the message quotes it.
            Files.writeString(data, "a,b,kind\n1,2,ash\n3,4,oak\n");
            Files.writeString(test, "a,b,kind\n1,2,ash\n3,4," + name + "\n");
            args.addAll(List.of("--test-data", test.toString()));
            where = "test.csv:3:3:";
        }
        CliTest.Result r = run(args.toArray(new String[0]));
        String err = BadInput.assertRejected(r, out, where, expect);
        assertTrue(err.startsWith("clprop: error: "), err);
        assertTrue(err.length() < SHORT, () -> err.length() + " characters: " + err.substring(0, Math.min(500, err.length())));
    }

    /**
     * The last line of defence: an option value echoed in a message is the user's own, not cut where it is
     * quoted, so Main cuts any message that is longer than a line should be, keeping its start.
     */
    @Test
    void aHugeMessageIsCutByTheCommandLine(@TempDir Path dir) throws IOException {
        Path data = Files.writeString(dir.resolve("train.csv"), "a,b,kind\n1,2,ash\n3,4,oak\n");
        Path out = Files.createDirectory(dir.resolve("out"));
        String column = "k".repeat(1_000_000);
        CliTest.Result r = run("train", "--device", "cpu", "--format", "csv", "--data", data.toString(),
                "--label-column", column, "--epochs", "1", "--save", out.resolve("m.model").toString());
        String err = BadInput.assertRejected(r, out, "clprop: error: --label-column kkkk");
        assertTrue(err.length() <= 600, () -> err.length() + " characters");
        assertTrue(err.endsWith("characters in all)"), err);
    }
}
