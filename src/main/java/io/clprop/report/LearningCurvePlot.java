package io.clprop.report;

import io.clprop.train.EpochMetrics;

import io.clprop.util.AtomicFiles;
import io.clprop.util.UserError;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

import static io.clprop.util.Wording.setting;

/**
 * The learning curves of a run as one PNG: a title band over two panels side by side,
 * loss per epoch (training, and validation when the run had a validation set) and accuracy per epoch
 * (validation and test, whichever the run measured). Drawn with XChart on an off-screen image, so it needs
 * no display, and written atomically like every file the user asks for.
 */
public final class LearningCurvePlot {
    public static final int WIDTH = 1200;
    public static final int HEIGHT = 500;
    private static final int TITLE_BAND = 40;
    /** One colour per data set, the same in both panels. */
    static final Color TRAIN_COLOR = new Color(31, 119, 180);
    static final Color VALIDATION_COLOR = new Color(255, 127, 14);
    static final Color TEST_COLOR = new Color(44, 160, 44);

    static {
        // XChart draws through AWT; without this AWT may look for a display it does not need. An explicit
        // -Djava.awt.headless from the user wins.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private LearningCurvePlot() {
    }

    /**
     * Fails before any training if the plot could not be written afterwards: the folder, the name (PNG is
     * what is written, so the name must say so) and the fonts AWT needs to draw text.
     */
    public static void checkWritable(Path png) {
        AtomicFiles.checkWritable(png, setting("plotFile"));
        String name = png.getFileName().toString().toLowerCase(Locale.ROOT);
        if (!name.endsWith(".png")) {
            throw new UserError(setting("plotFile") + " " + png + ": the plot is a PNG image; give a file name ending in .png");
        }
        try {
            BufferedImage probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = probe.createGraphics();
            g.getFontMetrics(new Font(Font.SANS_SERIF, Font.PLAIN, 12)).stringWidth("epoch");
            g.dispose();
        } catch (Error | RuntimeException e) {
            // A JRE without fontconfig or any font fails here (NoClassDefFoundError, InternalError, NPE...).
            throw new UserError(setting("plotFile") + " " + png + ": Java cannot draw text on this machine (" + e
                    + "); install fontconfig and a font, e.g. apt-get install fontconfig fonts-dejavu-core", e);
        }
    }

    /** Draws the curves of {@code epochs} (at least one) and writes them to {@code png} atomically. */
    public static void write(Path png, List<EpochMetrics> epochs, String title) {
        AtomicFiles.writeBytes(png, render(epochs, title));
    }

    /** The PNG's bytes: WIDTH × HEIGHT pixels. */
    public static byte[] render(List<EpochMetrics> epochs, String title) {
        if (epochs.isEmpty()) {
            throw new IllegalArgumentException("no epochs to plot");
        }
        // Loss falls and accuracy rises: the legend goes in the corner each curve leaves free.
        XYChart loss = panel("Loss", "loss", Styler.LegendPosition.InsideNE);
        addSeries(loss, "training loss", TRAIN_COLOR, epochs, EpochMetrics::trainLoss);
        addSeries(loss, "validation loss", VALIDATION_COLOR, epochs, EpochMetrics::validationLoss);
        XYChart accuracy = panel("Accuracy", "accuracy", Styler.LegendPosition.InsideSE);
        addSeries(accuracy, "validation accuracy", VALIDATION_COLOR, epochs, EpochMetrics::validationAccuracy);
        addSeries(accuracy, "test accuracy", TEST_COLOR, epochs, EpochMetrics::testAccuracy);

        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            drawTitle(g, title);
            int panelWidth = WIDTH / 2;
            int panelHeight = HEIGHT - TITLE_BAND;
            drawPanel(g, loss, 0, panelWidth, panelHeight);
            drawPanel(g, accuracy, panelWidth, WIDTH - panelWidth, panelHeight);
        } finally {
            g.dispose();
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // Encoded in memory: ImageIO.write to a plain stream would buffer through a cache file in java.io.tmpdir,
        // which fails on a full /tmp and is left behind when the process is killed.
        try (javax.imageio.stream.MemoryCacheImageOutputStream png = new javax.imageio.stream.MemoryCacheImageOutputStream(bytes)) {
            if (!ImageIO.write(image, "png", png)) {
                throw new IllegalStateException("this Java has no PNG writer");
            }
        } catch (IOException e) {
            throw new IllegalStateException("encoding the plot as PNG: " + e.getMessage(), e);
        }
        return bytes.toByteArray();
    }

    private static XYChart panel(String title, String yTitle, Styler.LegendPosition legend) {
        XYChart chart = new XYChart(WIDTH / 2, HEIGHT - TITLE_BAND);
        chart.setTitle(title);
        chart.setXAxisTitle("epoch");
        chart.setYAxisTitle(yTitle);
        var styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotGridLinesColor(new Color(225, 225, 225));
        styler.setLegendPosition(legend);
        styler.setLegendBackgroundColor(new Color(255, 255, 255, 220));
        styler.setMarkerSize(7);
        // Epochs are whole numbers: label only the whole ticks, whatever spacing the axis picks.
        styler.setxAxisTickLabelsFormattingFunction(x -> x == Math.rint(x) ? String.valueOf(Math.round(x)) : "");
        styler.setYAxisDecimalPattern("0.###");
        return chart;
    }

    /** One curve of the finite values {@code value} takes; none when the run did not measure it. */
    private static void addSeries(XYChart chart, String name, Color color, List<EpochMetrics> epochs,
                                  ToDoubleFunction<EpochMetrics> value) {
        List<Integer> xs = new ArrayList<>();
        List<Double> ys = new ArrayList<>();
        for (EpochMetrics m : epochs) {
            double v = value.applyAsDouble(m);
            if (Double.isFinite(v)) {
                xs.add(m.epoch());
                ys.add(v);
            }
        }
        if (!xs.isEmpty()) {
            XYSeries s = chart.addSeries(name, xs, ys);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setLineColor(color);
            s.setMarkerColor(color);
        }
    }

    /** Centred; a long title (device names can be) gets a smaller font, then is cut with an ellipsis. */
    private static void drawTitle(Graphics2D g, String title) {
        int room = WIDTH - 16;
        String t = title == null ? "" : title;
        int size = 16;
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, size));
        while (g.getFontMetrics().stringWidth(t) > room && size > 11) {
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, --size));
        }
        FontMetrics fm = g.getFontMetrics();
        if (fm.stringWidth(t) > room) {
            while (!t.isEmpty() && fm.stringWidth(t + "…") > room) {
                t = t.substring(0, t.length() - 1);
            }
            t += "…";
        }
        g.setColor(Color.BLACK);
        g.drawString(t, (WIDTH - fm.stringWidth(t)) / 2, (TITLE_BAND + fm.getAscent() - fm.getDescent()) / 2);
    }

    /** A chart with no curve (nothing finite was measured) says so instead of drawing empty axes. */
    private static void drawPanel(Graphics2D g, XYChart chart, int x, int width, int height) {
        Graphics2D p = (Graphics2D) g.create(x, TITLE_BAND, width, height);
        try {
            if (chart.getSeriesMap().isEmpty()) {
                p.setColor(Color.DARK_GRAY);
                p.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
                String msg = chart.getTitle() + ": not measured in this run";
                FontMetrics fm = p.getFontMetrics();
                p.drawString(msg, (width - fm.stringWidth(msg)) / 2, height / 2);
            } else {
                chart.paint(p, width, height);
            }
        } finally {
            p.dispose();
        }
    }
}
