package io.clprop.train;

import java.util.List;

/**
 * How the shards of a run spread over processes (a cluster's tasks, see {@link ShardTrainer}) meet each step:
 * every shard gives its message and receives every shard's, in one order that is the same for all of them
 * (the shards' numbers), so that every shard computes the same sum from them.
 */
public interface ShardExchange {

    /** This shard's number, 0 … {@link #shards()} − 1. */
    int shard();

    int shards();

    /** Sends {@code mine} and returns every shard's message, shard 0's first (mine among them). */
    List<float[]> allGather(float[] mine);
}
