package io.clprop.fuzz;

import io.clprop.util.UserError;

import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * What a reader may do with any input: return, or throw a {@link UserError} whose message is one line and
 * short enough to read ({@link #MAX_MESSAGE} characters; the CLI prints it as "clprop: error: MSG"). Any other
 * exception or error (IllegalArgumentException, NumberFormatException, StackOverflowError, OutOfMemoryError…)
 * becomes "internal error" in the CLI, and is a bug for bad input. A call that runs longer than
 * {@link #TIMEOUT_SECONDS} is one too: these inputs are a few kilobytes.
 */
final class Outcome {
    /** A file name (~80 characters in a temporary folder) plus a sentence; a message far longer quotes data. */
    static final int MAX_MESSAGE = 500;
    static final int TIMEOUT_SECONDS = 10;

    /** Threads that may be abandoned: a call that hangs is left running, and the next call gets a new thread. */
    private static final ExecutorService CALLS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fuzz-call");
        t.setDaemon(true);
        return t;
    });

    /** How a call ended, for jqwik's statistics: "read", or "refused" and the message's first words. */
    enum Kind { READ, REFUSED }

    record Result<T>(Kind kind, T value, UserError error) {
    }

    private Outcome() {
    }

    /**
     * Runs {@code call} (named {@code reader} in messages) and returns its value or its UserError; anything else
     * fails the property with the reader, the exception and where it was thrown, {@code input} describing what
     * it was given.
     */
    static <T> Result<T> of(String reader, String input, Callable<T> call) {
        Future<T> f = CALLS.submit(call);
        try {
            return new Result<>(Kind.READ, f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS), null);
        } catch (TimeoutException e) {
            f.cancel(true);
            Throwable where = stackOf(e);
            throw new Finding(reader + " hangs at " + firstOwnFrame(where), reader + " ran for more than "
                    + TIMEOUT_SECONDS + " s on " + input + "\n  where it was: " + frames(where));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            if (t instanceof UserError u) {
                checkMessage(reader, input, u);
                return new Result<>(Kind.REFUSED, null, u);
            }
            throw new Finding(reader + " threw " + t.getClass().getSimpleName() + " at " + firstOwnFrame(t),
                    reader + " threw " + t.getClass().getName() + " (not a UserError): "
                    + abbreviate(String.valueOf(t.getMessage())) + "\n  on " + input + "\n  thrown at " + frames(t), t);
        }
    }

    static void checkMessage(String reader, String input, UserError u) {
        String m = String.valueOf(u.getMessage());
        if (m.contains("\n") || m.contains("\r")) {
            throw new Finding(reader + ": message not one line: " + gist(u), reader
                    + ": UserError message is not one line: " + abbreviate(m.replace("\r", "\\r").replace("\n", "\\n"))
                    + "\n  on " + input, u);
        }
        if (m.length() > MAX_MESSAGE) {
            throw new Finding(reader + ": message too long: " + gist(u), reader + ": UserError message is "
                    + m.length() + " characters long (at most " + MAX_MESSAGE + "): " + abbreviate(m) + "\n  on " + input, u);
        }
    }

    /**
     * The message's shape, to group refusals in the statistics and findings in the survey: without the file
     * name, quoted text and numbers, cut at 40 characters.
     */
    static String gist(UserError u) {
        String m = String.valueOf(u.getMessage()).replace("\r", " ").replace("\n", " ");
        int colon = m.indexOf(": ");
        if (colon >= 0 && m.startsWith("/")) {
            m = m.substring(colon + 2);
        }
        m = m.replaceAll("\"[^\"]*\"?", "\"…\"").replaceAll("'[^']*'?", "'…'").replaceAll("[0-9]+", "N");
        return m.length() <= 40 ? m : m.substring(0, 40) + "…";
    }

    /** "Class.method" of the first frame in the project's code (else the first frame), without line numbers. */
    static String firstOwnFrame(Throwable t) {
        StackTraceElement[] st = t.getStackTrace();
        for (StackTraceElement e : st) {
            if (e.getClassName().startsWith("io.clprop.") && !e.getClassName().startsWith("io.clprop.fuzz.")) {
                return e.getClassName().substring(e.getClassName().lastIndexOf('.') + 1) + "." + e.getMethodName();
            }
        }
        return st.length == 0 ? "?" : st[0].getClassName() + "." + st[0].getMethodName();
    }

    static String abbreviate(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "… (" + s.length() + " characters)";
    }

    /** The top frames of the project's code (and the frame that threw), where a fix belongs. */
    static String frames(Throwable t) {
        StackTraceElement[] st = t.getStackTrace();
        if (st.length == 0) {
            return "(no stack trace)";
        }
        String top = st[0].toString();
        String ours = Arrays.stream(st).filter(e -> e.getClassName().startsWith("io.clprop.")
                        && !e.getClassName().startsWith("io.clprop.fuzz."))
                .limit(3).map(StackTraceElement::toString).collect(Collectors.joining(" < "));
        return ours.isEmpty() || ours.startsWith(top) ? (ours.isEmpty() ? top : ours) : top + " < " + ours;
    }

    private static Throwable stackOf(TimeoutException e) {
        // The worker's stack is not reachable through the Future; the timeout's own stack says nothing, so
        // look the thread up by name (the newest call is the one that hung).
        for (var entry : Thread.getAllStackTraces().entrySet()) {
            if (entry.getKey().getName().equals("fuzz-call") && entry.getValue().length > 0
                    && entry.getKey().getState() == Thread.State.RUNNABLE) {
                Throwable where = new Throwable();
                where.setStackTrace(entry.getValue());
                return where;
            }
        }
        return e;
    }
}
