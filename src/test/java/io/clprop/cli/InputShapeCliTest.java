package io.clprop.cli;

import io.clprop.data.IdxFiles;
import io.clprop.data.MnistFolder;
import io.clprop.util.ImageShape;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static io.clprop.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * --input-shape on train, eval and predict: CSV data whose feature columns are the shape's values is taken,
 * another count is refused naming the option, the shape and the count; IDX data takes only its own shape.
 */
class InputShapeCliTest {
    @TempDir
    static Path data;
    static Path trainCsv, testCsv, featuresCsv, idx, csvModel, idxModel;

    @BeforeAll
    static void dataAndModels() throws IOException {
        StringBuilder train = new StringBuilder("p0,p1,p2,p3,y\n"), features = new StringBuilder("p0,p1,p2,p3\n");
        for (int i = 0; i < 20; i++) {
            int y = i % 2;
            String row = (y + 0.1 * i) + "," + (1 - y) + "," + (0.5 * i) + "," + (i % 3);
            train.append(row).append(',').append(y).append('\n');
            features.append(row).append('\n');
        }
        trainCsv = Files.writeString(data.resolve("train.csv"), train);
        testCsv = Files.writeString(data.resolve("test.csv"), "p0,p1,p2,p3,y\n1,0,2,1,1\n0,1,3,0,0\n");
        featuresCsv = Files.writeString(data.resolve("new.csv"), features);
        idx = Files.createDirectories(data.resolve("idx"));
        IdxFiles.writeMnistFolder(idx, false, 12, 5, 4, 3);
        csvModel = data.resolve("csv.clprop");
        idxModel = data.resolve("idx.clprop");
        assertEquals(0, train(trainCsv, "csv", csvModel, "--input-shape", "1x2x2").status());
        assertEquals(0, train(idx, "idx", idxModel).status());
    }

    static CliTest.Result train(Path source, String format, Path model, String... extra) {
        String[] args = {"train", "--device", "cpu", "--format", format, "--data", source.toString(), "--hidden", "3",
                "--epochs", "1", "--batch", "4", "--save", model.toString()};
        String[] all = java.util.Arrays.copyOf(args, args.length + extra.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        return run(all);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1x2x2", "1×2×2", "4x1x1", "2×1×2"})
    void csvTrainingTakesAShapeOfItsColumns(String shape, @TempDir Path out) {
        CliTest.Result r = train(trainCsv, "csv", out.resolve("m.clprop"), "--input-shape", shape);
        assertEquals(0, r.status(), r.err());
    }

    @Test
    void theTrainingAndTestSetsCarryTheShapeThroughStandardisation() {
        DataOptions.TrainingData td = DataOptionsTest.parse("--format", "csv", "--data", trainCsv.toString(),
                "--test-data", testCsv.toString(), "--input-shape", "1x2x2").loadTraining(10, null);
        assertEquals(Optional.of(new ImageShape(1, 2, 2)), td.train().imageShape());
        assertEquals(Optional.of(new ImageShape(1, 2, 2)), td.test().imageShape());
        assertEquals(10, td.train().size());
        DataOptions.TrainingData plain = DataOptionsTest.parse("--format", "csv", "--data", trainCsv.toString())
                .loadTraining(null, null);
        assertEquals(Optional.empty(), plain.train().imageShape(), "without the option: plain rows");
        DataOptions.TrainingData images = DataOptionsTest.parse("--data", idx.toString()).loadTraining(null, null);
        assertEquals(Optional.of(new ImageShape(1, 4, 3)), images.train().imageShape());
    }

    @Test
    void csvTrainingRefusesAShapeOfAnotherSize(@TempDir Path out) {
        CliTest.Result r = train(trainCsv, "csv", out.resolve("m.clprop"), "--input-shape", "1x28x28");
        assertEquals("clprop: error: " + trainCsv + ": --input-shape 1×28×28 holds 784 values, the CSV data has 4 "
                + "feature columns", BadInput.assertRejected(r, out));
    }

    @ParameterizedTest
    @ValueSource(strings = {"28x28", "0x1x1", "axbxc", "1x1x70000"})
    void anUnreadableShapeIsRefusedNamingTheOption(String shape, @TempDir Path out) {
        CliTest.Result r = train(trainCsv, "csv", out.resolve("m.clprop"), "--input-shape", shape);
        BadInput.assertRejected(r, out, "clprop: error: --input-shape");
    }

    @Test
    void idxTrainingTakesOnlyTheImagesOwnShape(@TempDir Path out) throws IOException {
        assertEquals(0, train(idx, "idx", out.resolve("m.clprop"), "--input-shape", "1x4x3").status());
        assertTrue(Files.exists(out.resolve("m.clprop")));
        Path other = Files.createDirectories(out.resolve("other"));
        CliTest.Result r = train(idx, "idx", other.resolve("m.clprop"), "--input-shape", "1x3x4");
        assertEquals("clprop: error: " + idx + ": --input-shape 1×3×4 is not the shape of its images, 1×4×3 (an IDX "
                + "file has its own shape: leave --input-shape out, or give it as 1×4×3)", BadInput.assertRejected(r, other));
    }

    @Test
    void evalChecksTheShapeOfCsvAndIdxData() {
        assertEquals(0, run("eval", "--device", "cpu", "--model", csvModel.toString(), "--format", "csv", "--data",
                testCsv.toString(), "--input-shape", "2x2x1").status());
        CliTest.Result r = run("eval", "--device", "cpu", "--model", csvModel.toString(), "--format", "csv", "--data",
                testCsv.toString(), "--input-shape", "1x2x3");
        assertEquals(Main.EXIT_USAGE, r.status());
        assertEquals("clprop: error: " + testCsv + ": --input-shape 1×2×3 holds 6 values, the CSV data has 4 feature "
                + "columns", r.err().strip());
        assertEquals(0, run("eval", "--device", "cpu", "--model", idxModel.toString(), "--data", idx.toString(),
                "--input-shape", "1×4×3").status());
        r = run("eval", "--device", "cpu", "--model", idxModel.toString(), "--data", idx.toString(),
                "--input-shape", "3x2x2");
        assertEquals(Main.EXIT_USAGE, r.status());
        assertEquals("clprop: error: " + idx + ": --input-shape 3×2×2 is not the shape of its images, 1×4×3 (an IDX "
                + "file has its own shape: leave --input-shape out, or give it as 1×4×3)", r.err().strip());
    }

    @Test
    void predictChecksTheShapeOfCsvAndIdxInput(@TempDir Path out) throws IOException {
        Path written = out.resolve("p.csv");
        assertEquals(0, run("predict", "--device", "cpu", "--model", csvModel.toString(), "--format", "csv", "--input",
                featuresCsv.toString(), "--input-shape", "1x2x2", "--output", written.toString()).status());
        assertTrue(Files.exists(written));
        // Without a header the columns are not matched by name; their count is what the shape is checked against.
        Path bare = Files.writeString(out.resolve("bare.csv"), "1,0,2,1,1\n0,1,3,0,0\n");
        CliTest.Result r = run("predict", "--device", "cpu", "--model", csvModel.toString(), "--format", "csv",
                "--input", bare.toString(), "--input-shape", "1x2x2", "--output", written.toString());
        assertEquals(Main.EXIT_USAGE, r.status(), "the label column counts as a feature when not named");
        assertEquals("clprop: error: " + bare + ": --input-shape 1×2×2 holds 4 values, the CSV data has 5 "
                + "feature columns", r.err().strip());
        Path images = idx.resolve(MnistFolder.TEST_IMAGES);
        assertEquals(0, run("predict", "--device", "cpu", "--model", idxModel.toString(), "--input", images.toString(),
                "--input-shape", "1x4x3", "--output", written.toString()).status());
        r = run("predict", "--device", "cpu", "--model", idxModel.toString(), "--input", images.toString(),
                "--input-shape", "12x1x1", "--output", written.toString());
        assertEquals(Main.EXIT_USAGE, r.status());
        assertEquals("clprop: error: " + images + ": --input-shape 12×1×1 is not the shape of its images, 1×4×3 (an "
                + "IDX file has its own shape: leave --input-shape out, or give it as 1×4×3)", r.err().strip());
    }
}
