package io.clprop.report;

import io.clprop.train.EpochMetrics;

import io.clprop.util.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The learning-curve image: a PNG of the stated size whose panels hold the curves the run measured, in the colour
 * of each data set (counted in the left, loss, and right, accuracy, halves), and nothing for what it did not.
 */
class LearningCurvePlotTest {

    /** Curves shaped like a real run: loss falling, accuracy rising. */
    static List<EpochMetrics> epochs(int n, boolean validation, boolean test) {
        List<EpochMetrics> list = new ArrayList<>();
        for (int e = 1; e <= n; e++) {
            double trainLoss = 0.9 / Math.sqrt(e);
            list.add(new EpochMetrics(e, trainLoss,
                    validation ? trainLoss * 1.1 + 0.02 : Double.NaN,
                    validation ? 0.8 + 0.07 * (1 - 1.0 / e) : Double.NaN,
                    test ? 0.79 + 0.07 * (1 - 1.0 / e) : Double.NaN,
                    0.1, 1.0, 1000, 0.1, null));
        }
        return list;
    }

    static BufferedImage writeAndRead(Path dir, List<EpochMetrics> epochs) throws IOException {
        Path png = dir.resolve("curves.png");
        LearningCurvePlot.write(png, epochs, "test run");
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "ImageIO decodes " + png);
        assertEquals(LearningCurvePlot.WIDTH, image.getWidth());
        assertEquals(LearningCurvePlot.HEIGHT, image.getHeight());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left beside the plot");
        }
        return image;
    }

    /** Pixels of exactly {@code c} in columns [from, to): the markers are filled with the series colour. */
    static int count(BufferedImage image, Color c, int from, int to) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = from; x < to; x++) {
                if ((image.getRGB(x, y) & 0xFFFFFF) == (c.getRGB() & 0xFFFFFF)) {
                    n++;
                }
            }
        }
        return n;
    }

    static int left(BufferedImage image, Color c) {
        return count(image, c, 0, image.getWidth() / 2);
    }

    static int right(BufferedImage image, Color c) {
        return count(image, c, image.getWidth() / 2, image.getWidth());
    }

    @Test
    void withValidationBothPanelsShowValidationCurves(@TempDir Path dir) throws IOException {
        BufferedImage image = writeAndRead(dir, epochs(10, true, true));
        assertTrue(left(image, LearningCurvePlot.TRAIN_COLOR) > 50, "training loss in the left panel");
        assertTrue(left(image, LearningCurvePlot.VALIDATION_COLOR) > 50, "validation loss in the left panel");
        assertTrue(right(image, LearningCurvePlot.VALIDATION_COLOR) > 50, "validation accuracy in the right panel");
        assertTrue(right(image, LearningCurvePlot.TEST_COLOR) > 50, "test accuracy in the right panel");
        assertEquals(0, right(image, LearningCurvePlot.TRAIN_COLOR), "no training curve among the accuracies");
    }

    @Test
    void withoutValidationOnlyTrainingLossAndTestAccuracy(@TempDir Path dir) throws IOException {
        BufferedImage image = writeAndRead(dir, epochs(10, false, true));
        assertTrue(left(image, LearningCurvePlot.TRAIN_COLOR) > 50);
        assertTrue(right(image, LearningCurvePlot.TEST_COLOR) > 50);
        assertEquals(0, count(image, LearningCurvePlot.VALIDATION_COLOR, 0, image.getWidth()),
                "no validation curve when the run had no validation set");
    }

    @Test
    void aSingleEpochIsDrawnAsPoints(@TempDir Path dir) throws IOException {
        BufferedImage image = writeAndRead(dir, epochs(1, true, true));
        assertTrue(left(image, LearningCurvePlot.TRAIN_COLOR) > 10);
        assertTrue(left(image, LearningCurvePlot.VALIDATION_COLOR) > 10);
        assertTrue(right(image, LearningCurvePlot.TEST_COLOR) > 10);
    }

    @Test
    void noAccuracyAtAllStillGivesTheLossPanel(@TempDir Path dir) throws IOException {
        BufferedImage image = writeAndRead(dir, epochs(3, false, false));
        assertTrue(left(image, LearningCurvePlot.TRAIN_COLOR) > 10);
        assertEquals(0, right(image, LearningCurvePlot.TEST_COLOR));
    }

    @Test
    void nonFiniteLossesAreLeftOutNotDrawnAsGarbage(@TempDir Path dir) throws IOException {
        List<EpochMetrics> diverged = new ArrayList<>(epochs(3, false, true));
        diverged.add(new EpochMetrics(4, Double.POSITIVE_INFINITY, Double.NaN, Double.NaN, 0.1, 0.1, 1, 1000, 0.1, null));
        diverged.add(new EpochMetrics(5, Double.NaN, Double.NaN, Double.NaN, 0.1, 0.1, 1, 1000, 0.1, null));
        BufferedImage image = writeAndRead(dir, diverged);
        assertTrue(left(image, LearningCurvePlot.TRAIN_COLOR) > 10);
    }

    @Test
    void overwritesAnExistingFile(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("curves.png"), "old");
        writeAndRead(dir, epochs(2, false, true));
    }

    @Test
    void noEpochsIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> LearningCurvePlot.render(List.of(), "t"));
    }

    @Test
    void checkWritableRejectsBadPathsWithTheSettingName(@TempDir Path dir) throws IOException {
        LearningCurvePlot.checkWritable(dir.resolve("ok.png"));
        LearningCurvePlot.checkWritable(dir.resolve("OK.PNG"));
        Files.createDirectory(dir.resolve("folder.png"));
        for (Path bad : new Path[]{dir.resolve("missing/curves.png"), dir.resolve("curves.jpg"), dir.resolve("folder.png")}) {
            UserError e = assertThrows(UserError.class, () -> LearningCurvePlot.checkWritable(bad), bad.toString());
            assertTrue(e.getMessage().startsWith("plotFile " + bad), e.getMessage());
        }
    }

    @org.junit.jupiter.api.Test
    void thePngIsEncodedInMemoryWithoutATemporaryFile(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // ImageIO's default stream caches through a file in java.io.tmpdir: with that folder unusable (a full or
        // missing /tmp) the plot must still be drawn, and nothing may be left there when the process is killed.
        // A JVM of its own, since the temporary folder is read once per JVM.
        java.nio.file.Path png = dir.resolve("curve.png");
        Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + dir.resolve("no-such-folder"), "-cp", System.getProperty("java.class.path"),
                PlotMain.class.getName(), png.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        org.junit.jupiter.api.Assertions.assertEquals(0, p.waitFor(), out);
        org.junit.jupiter.api.Assertions.assertTrue(java.nio.file.Files.size(png) > 1000, out);
    }

    /** Draws a plot of made-up epochs into the file named by its argument. */
    static final class PlotMain {
        public static void main(String[] args) {
            LearningCurvePlot.write(java.nio.file.Path.of(args[0]), epochs(3, true, true), "t");
        }
    }
}
