package io.clprop.report;

import io.clprop.train.TrainingProgress;

/** Chooses how training shows its progress on the console: a terminal bar, or nothing. */
public final class ConsoleProgress {
    private ConsoleProgress() {
    }

    /**
     * A bar on stderr when {@code enabled} and the JVM has a console (stdin and stdout on a terminal);
     * otherwise nothing, so CI logs and pipes get the plain epoch lines only.
     */
    public static TrainingProgress forConsole(boolean enabled) {
        return choose(enabled, System.console() != null);
    }

    /** {@link #forConsole} with the console's presence given: the terminal bar only when both hold. */
    public static TrainingProgress choose(boolean enabled, boolean console) {
        return enabled && console ? new TerminalProgress(System.err) : TrainingProgress.none();
    }
}
