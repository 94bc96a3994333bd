package io.clprop.cli;

import sun.misc.Signal;

/**
 * SIGINT (Ctrl-C) and SIGTERM end clprop at once with one line and the shell's usual status (128 + the
 * signal's number: 130, 143). The exit runs the JVM's shutdown hooks, among them the one that removes the
 * temporary files of writes in progress ({@code io.clprop.util.AtomicFiles}), so an interrupted run leaves
 * the last complete checkpoint and model and nothing half-written beside them.
 *
 * <p>Installed by {@link Main#main} only: tests that run commands in-process keep the JVM's own handling.
 */
final class Interrupts {
    private Interrupts() {
    }

    static void install() {
        for (String name : new String[]{"INT", "TERM"}) {
            try {
                Signal.handle(new Signal(name), s -> {
                    System.err.println("clprop: interrupted (SIG" + s.getName() + "); files being written were not "
                            + "replaced, and their temporary files are removed");
                    System.exit(128 + s.getNumber());
                });
            } catch (IllegalArgumentException e) {
                // the signal is ignored by the parent (nohup, a background job) or unknown here: leave it so
            }
        }
    }
}
