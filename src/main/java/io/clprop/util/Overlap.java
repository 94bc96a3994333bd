package io.clprop.util;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * Runs two independent start-up jobs at once: one on a background thread, one on the caller's. A
 * command reads its data while the OpenCL driver compiles its kernels (each takes one core for a second
 * or more; done one after the other they add up).
 *
 * <p>The outcome is what running the background job first, then the foreground one, would give: if both
 * fail, the background job's error is thrown (it is the one a command used to report first); if only the
 * background job fails, the foreground's result is closed before its error is thrown, so nothing the
 * foreground opened leaks.
 */
public final class Overlap {
    private Overlap() {
    }

    /** Both results, the background job's first. */
    public record Both<A, B>(A background, B foreground) {
    }

    public static <A, B extends AutoCloseable> Both<A, B> run(Supplier<A> background, Supplier<B> foreground) {
        CompletableFuture<A> pending = CompletableFuture.supplyAsync(background, runnable -> {
            Thread t = new Thread(runnable, "clprop-background-start");
            t.setDaemon(true); // an error on the foreground must not wait for a JVM exit on this thread
            t.start();
        });
        B b;
        try {
            b = foreground.get();
        } catch (RuntimeException | Error foregroundFailure) {
            try {
                await(pending);
            } catch (RuntimeException | Error backgroundFailure) {
                backgroundFailure.addSuppressed(foregroundFailure);
                throw backgroundFailure;
            }
            throw foregroundFailure;
        }
        try {
            return new Both<>(await(pending), b);
        } catch (RuntimeException | Error backgroundFailure) {
            try {
                b.close();
            } catch (Exception closing) {
                backgroundFailure.addSuppressed(closing);
            }
            throw backgroundFailure;
        }
    }

    /** The job's result, or the exception it threw, unwrapped. */
    private static <A> A await(CompletableFuture<A> pending) {
        try {
            return pending.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
