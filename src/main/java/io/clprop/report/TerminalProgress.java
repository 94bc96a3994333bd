package io.clprop.report;

import io.clprop.train.TrainingProgress;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

import java.io.PrintStream;

/**
 * One progress bar per epoch ("epoch 3  45% │████▌     │ 211/469 steps (0:00:01 / 0:00:01)"), drawn by the
 * progressbar library on its own thread, so {@link #step()} is one atomic increment. The bar counts steps
 * submitted to the device (they run asynchronously) and is cleared when the epoch ends, where the epoch's
 * line takes its place.
 */
public final class TerminalProgress implements TrainingProgress {
    /** Redraws per second are capped by this; more would only cost the terminal. */
    private static final int REDRAW_MILLIS = 100;

    private final PrintStream out;
    /** The width to draw at; 0 asks the terminal. */
    private final int width;
    private ProgressBar bar;

    /** Draws on {@code out} (stderr in the CLI, keeping stdout for the results) at the terminal's width. */
    public TerminalProgress(PrintStream out) {
        this(out, 0);
    }

    /** Draws at a fixed width: for streams that are not a terminal. */
    public TerminalProgress(PrintStream out, int width) {
        this.out = out;
        this.width = width;
    }

    @Override
    public void startEpoch(int epoch, int steps) {
        close();
        bar = new ProgressBarBuilder()
                .setTaskName("epoch " + epoch)
                .setInitialMax(steps)
                .setUnit(" steps", 1)
                .setUpdateIntervalMillis(REDRAW_MILLIS)
                .setConsumer(width > 0 ? new ConsoleProgressBarConsumer(out, width) : new ConsoleProgressBarConsumer(out))
                .clearDisplayOnFinish()
                .build();
    }

    @Override
    public void step() {
        if (bar != null) {
            bar.step();
        }
    }

    @Override
    public void endEpoch() {
        close();
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
