package io.clprop.cli;

import io.clprop.TestDevices;
import io.clprop.report.LearningCurvePlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `train --plot` and `train --[no-]progress` as a user meets them, on the CPU path with tiny runs. */
class TrainPlotAndProgressCliTest {
    static final String[] TINY = {"train", "--device", "cpu", "--hidden", "16", "--batch", "50",
            "--train-limit", "500", "--test-limit", "100"};

    static String[] tiny(String... more) {
        List<String> args = new ArrayList<>(List.of(TINY));
        args.addAll(List.of(more));
        return args.toArray(new String[0]);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void plotWritesAPngOfTheStatedSize(int epochs, @TempDir Path dir) throws IOException {
        TestDevices.fashionMnist();
        Path png = dir.resolve("curves.png");
        CliTest.Result r = CliTest.run(tiny("--epochs", String.valueOf(epochs), "--no-progress", "--plot", png.toString()));
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("plot written to " + png), r.out());
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "a PNG ImageIO decodes");
        assertEquals(LearningCurvePlot.WIDTH, image.getWidth());
        assertEquals(LearningCurvePlot.HEIGHT, image.getHeight());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left beside the plot");
        }
    }

    /** A --plot that could not be written fails before the data set is even read (the --data is bad too). */
    @ParameterizedTest
    @ValueSource(strings = {"/nonexistent/dir/curves.png", "curves.jpg", "DIR"})
    void aBadPlotPathFailsWithStatus2BeforeAnyWork(String plot, @TempDir Path dir) {
        String path = plot.equals("DIR") ? dir.toString() : plot;
        CliTest.Result r = CliTest.run("train", "--device", "cpu", "--data", "/nonexistent/data", "--plot", path);
        assertEquals(2, r.status(), r.err());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), err);
        assertTrue(err.startsWith("clprop: error: --plot " + path), err);
        assertFalse(r.out().contains("epoch"), r.out());
    }

    @Test
    void progressForcedDrawsABarOnStderrAndNoProgressDrawsNone() {
        TestDevices.fashionMnist();
        String forced = stderrOf(tiny("--epochs", "2", "--progress"));
        assertTrue(forced.contains("epoch 1") && forced.contains("epoch 2"), forced);
        assertTrue(forced.contains("10/10 steps"), forced); // 500 samples in batches of 50
        String off = stderrOf(tiny("--epochs", "2", "--no-progress"));
        assertFalse(off.contains("steps"), off);
        // This JVM has no console (surefire pipes its streams), so the default is no bar either.
        if (System.console() == null) {
            String auto = stderrOf(tiny("--epochs", "1"));
            assertFalse(auto.contains("steps"), auto);
        }
    }

    /** The process's stderr during one command (the bar goes there, not to the command's error writer). */
    private static String stderrOf(String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        CliTest.Result r;
        try {
            r = CliTest.run(args);
        } finally {
            System.setErr(saved);
        }
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("epoch   1"), "the epoch lines stay on stdout: " + r.out());
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
