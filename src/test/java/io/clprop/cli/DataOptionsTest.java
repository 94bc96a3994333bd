package io.clprop.cli;

import io.clprop.data.Dataset;
import io.clprop.util.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The data options `train` will mix in: what each combination loads, and the one-line errors. */
class DataOptionsTest {
    @Command(name = "t")
    static final class Host implements Runnable {
        @Mixin
        DataOptions data = new DataOptions();

        @Override
        public void run() {
        }
    }

    static DataOptions parse(String... args) {
        Host h = new Host();
        new CommandLine(h).parseArgs(args);
        return h.data;
    }

    @TempDir
    Path dir;

    Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void csvTrainAndTestStandardisedByDefault() throws IOException {
        Path train = write("train.csv", "x,y,kind\n0,10,b\n2,10,a\n4,10,c\n6,10,a\n");
        Path test = write("test.csv", "x,y,kind\n3,11,c\n5,9,a\n");
        DataOptions.TrainingData td = parse("--format", "csv", "--data", train.toString(), "--test-data", test.toString(),
                "--label-column", "kind").loadTraining(null, null);
        assertEquals(List.of("a", "b", "c"), td.classNames());
        assertArrayEquals(new int[]{1, 0, 2, 0}, td.train().labels());
        assertArrayEquals(new int[]{2, 0}, td.test().labels(), "the test file uses the training file's classes");
        assertEquals(3, td.test().numClasses());
        assertNotNull(td.standardizer());
        // x: mean 3, std √5; y: constant 10 → std 1.
        assertArrayEquals(new float[]{3, 10}, td.standardizer().mean());
        float s = (float) Math.sqrt(5);
        assertArrayEquals(new float[]{0, 1, 2 / s, -1}, td.test().features(), 1e-6f);
        assertTrue(td.source().contains("test.csv"), td.source());
    }

    @Test
    void noStandardizeAndLimitsBeforeFitting() throws IOException {
        Path train = write("train.csv", "1,0\n3,1\n100,0\n");
        Dataset raw = parse("--format", "csv", "--data", train.toString(), "--no-standardize").loadTraining(null, null).train();
        assertArrayEquals(new float[]{1, 3, 100}, raw.features());
        DataOptions.TrainingData limited = parse("--format", "csv", "--data", train.toString()).loadTraining(2, null);
        assertEquals(2, limited.train().size());
        assertArrayEquals(new float[]{2}, limited.standardizer().mean(), "fitted on the samples kept");
        assertNull(limited.test());
    }

    @Test
    void idxFolderUnstandardisedUnlessAsked() throws IOException {
        Path idx = Files.createDirectories(dir.resolve("idx"));
        ModelCommandsTest.writeIdx(idx, "train", new byte[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
                18, 19, 20, 21, 22, 23}, new int[]{0, 9});
        ModelCommandsTest.writeIdx(idx, "t10k", new byte[]{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, new int[]{3});
        DataOptions.TrainingData plain = parse("--data", idx.toString()).loadTraining(null, null);
        assertNull(plain.standardizer());
        assertEquals(12, plain.train().featureCount());
        assertEquals(1, plain.test().size());
        assertEquals(1 / 255f, plain.test().features()[0]);
        DataOptions.TrainingData std = parse("--data", idx.toString(), "--standardize").loadTraining(null, null);
        assertNotNull(std.standardizer());
        assertEquals(0f, std.train().features()[0] + std.train().features()[12], 1e-6f, "two samples: ±1 around the mean");
    }

    @Test
    void problemsAreOneLineUserErrors() throws IOException {
        Path train = write("train.csv", "1,2,0\n3,4,1\n");
        Path narrow = write("narrow.csv", "1,0\n");
        assertMessage(() -> parse("--format", "csv").loadTraining(null, null), "--format csv needs --data FILE");
        assertMessage(() -> parse("--test-data", train.toString()).loadTraining(null, null), "--test-data applies to --format csv");
        assertMessage(() -> parse("--label-column", "2").loadTraining(null, null), "--label-column applies to --format csv");
        assertMessage(() -> parse("--no-header").loadTraining(null, null), "--no-header applies to --format csv");
        assertMessage(() -> parse("--format", "csv", "--data", train.toString(), "--test-data", narrow.toString()).loadTraining(null, null),
                narrow + ": 1 features per sample, but the training set " + train + " has 2");
        assertMessage(() -> parse("--format", "csv", "--data", train.toString()).loadTraining(null, 5),
                "--test-limit: there is no test set");
        assertMessage(() -> parse("--format", "csv", "--data", train.toString()).loadTraining(3, null),
                "--train-limit 3: must be between 1 and 2");
        assertThrows(CommandLine.ParameterException.class, () -> parse("--format", "xml"));
    }

    static void assertMessage(org.junit.jupiter.api.function.Executable e, String fragment) {
        UserError u = assertThrows(UserError.class, e);
        assertTrue(u.getMessage().contains(fragment), u.getMessage());
        assertTrue(!u.getMessage().contains("\n"));
    }
}
