package io.clprop.util;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OverlapTest {
    /** Something the foreground opens, to see whether it is closed. */
    static final class Opened implements AutoCloseable {
        final AtomicBoolean closed = new AtomicBoolean();

        @Override
        public void close() {
            closed.set(true);
        }
    }

    @Test
    void bothRunAtOnceOnDifferentThreads() throws Exception {
        // Each job waits for the other to have started: run one after the other, this would time out.
        CountDownLatch a = new CountDownLatch(1), b = new CountDownLatch(1);
        Thread caller = Thread.currentThread();
        Overlap.Both<Thread, Opened> both = Overlap.run(() -> {
            a.countDown();
            await(b);
            return Thread.currentThread();
        }, () -> {
            b.countDown();
            await(a);
            return new Opened();
        });
        assertNotEquals(caller, both.background());
        assertFalse(both.foreground().closed.get());
    }

    @Test
    void aBackgroundFailureClosesWhatTheForegroundOpened() {
        Opened opened = new Opened();
        UserError e = assertThrows(UserError.class, () -> Overlap.run(() -> {
            throw new UserError("data: bad file");
        }, () -> opened));
        assertEquals("data: bad file", e.getMessage());
        assertTrue(opened.closed.get());
    }

    @Test
    void whenBothFailTheBackgroundErrorIsTheOneThrown() {
        UserError background = new UserError("data: bad file");
        UserError foreground = new UserError("no such device");
        UserError e = assertThrows(UserError.class, () -> Overlap.run(() -> {
            throw background;
        }, () -> {
            throw foreground;
        }));
        assertSame(background, e);
        assertSame(foreground, e.getSuppressed()[0]);
    }

    @Test
    void aForegroundFailureAloneIsThrownAfterTheBackgroundFinished() {
        AtomicBoolean finished = new AtomicBoolean();
        UserError e = assertThrows(UserError.class, () -> Overlap.run(() -> {
            sleep(100);
            finished.set(true);
            return "data";
        }, () -> {
            throw new UserError("no such device");
        }));
        assertEquals("no such device", e.getMessage());
        assertTrue(finished.get());
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the other job never started: the two ran one after the other");
            }
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
