package io.clprop.nn;

import io.clprop.backend.DropoutMask;

/**
 * Inverted dropout on the outputs of the hidden layers during training: each unit is zeroed with
 * probability {@code rate} and the kept ones are scaled by 1/(1−rate), so the expected activation is
 * unchanged and inference (evaluation, {@code eval}, {@code predict}) runs the network as it is. The mask
 * of a step is a hash of (seed, step, layer, element) — see {@link DropoutMask} — so it is the same on
 * every backend and in a resumed run, which counts steps from its checkpoint.
 *
 * @param rate P, the probability of dropping a unit, 0 < P < 1
 * @param seed the run's seed (also that of the initial weights and shuffling; the hash is another generator)
 */
public record Dropout(double rate, long seed) {

    public Dropout {
        if (!(rate > 0 && rate < 1)) {
            throw new IllegalArgumentException("dropout rate must be in (0, 1), got " + rate);
        }
    }

    /** round((1−P)·2³²) as an unsigned 32-bit value, clamped to 2³²−1 (P so small that every unit is kept). */
    public int threshold() {
        long t = Math.round((1 - rate) * 0x1p32);
        return (int) Math.min(Math.max(t, 0), 0xFFFF_FFFFL);
    }

    /** 1/(1−P), computed in double and rounded once to the float both backends multiply by. */
    public float scale() {
        return (float) (1 / (1 - rate));
    }

    /** The 64-bit seed folded to the 32 bits the hash takes. */
    public int seed32() {
        return (int) (seed ^ (seed >>> 32));
    }

    /** The mask of training step {@code step} (the trainer's global step counter). */
    public DropoutMask mask(long step) {
        return new DropoutMask(seed32(), (int) step, threshold(), scale());
    }
}
