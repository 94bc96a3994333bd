package io.clprop.train;

/** What the shadow check saw over an epoch: steps replayed on the CPU path and the worst relative difference. */
public record CheckStats(int steps, double maxRel, double tolerance) {
}
