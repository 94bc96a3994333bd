package io.clprop.train;

import io.clprop.backend.Backend;
import io.clprop.backend.Tensor;

import java.util.Arrays;

/**
 * One epoch's batch losses on the device, and its divergence flag: one slot per step, then the flag
 * ({@link #flagSlot()}), in one buffer, so that the epoch's one read-back brings both. Each step's loss kernel
 * writes its slot; the flag is raised on the device ({@link #flagNonFinite}) and stays there until the host
 * reads it, alone in the middle of an epoch ({@link #flagRaised()}, one float) or with the losses at its end
 * ({@link #read()}).
 */
final class StepLosses implements AutoCloseable {
    private final Backend backend;
    private final int steps;
    private final Tensor buffer;

    /** The epoch's losses and whether the flag was raised, as one read brings them. */
    record Read(float[] losses, boolean diverged) {
    }

    StepLosses(Backend backend, int steps) {
        this.backend = backend;
        this.steps = steps;
        this.buffer = backend.allocate(1, steps + 1);
    }

    /** The buffer whose slot {@code step} a step's loss kernel writes (see {@code Network#computeGradients}). */
    Tensor buffer() {
        return buffer;
    }

    /** Where the flag is: after the last step's slot. */
    int flagSlot() {
        return steps;
    }

    /** Raises the flag if a loss of the epoch's first {@code done} steps, or a value of {@code weights}, is NaN or infinite. */
    void flagNonFinite(int done, Tensor weights) {
        backend.flagNonFinite(buffer.view(0, 1, done), buffer, flagSlot());
        backend.flagNonFinite(weights, buffer, flagSlot());
    }

    /** Reads the flag alone: one float, a blocking wait. */
    boolean flagRaised() {
        return backend.read(buffer.view(flagSlot(), 1, 1))[0] != 0;
    }

    /** The epoch's one read-back: every step's loss and the flag. */
    Read read() {
        float[] all = backend.read(buffer);
        return new Read(Arrays.copyOf(all, steps), all[flagSlot()] != 0);
    }

    @Override
    public void close() {
        backend.free(buffer);
    }
}
