package io.clprop.spark;

import io.clprop.backend.Backend;
import io.clprop.train.ShardTrainer;

import java.util.HashMap;
import java.util.Map;

/**
 * An executor's shards of the run it is training, kept between the run's stages (one per epoch), so that a
 * partition is uploaded to its device once per run, not once per epoch: Spark runs a partition's next task
 * where its cached block is, on the same executor, which then finds its shard here with its data and network
 * on the device and only restores the epoch's state into it. A task elsewhere (or after the executor was
 * lost) builds the shard anew. A shard is closed after the run's last epoch, when its task fails, or when a
 * task of another run arrives (a run that stopped early at its target loss leaves its shards until then).
 */
final class ShardCache {
    private record Entry(ShardTrainer trainer, Backend backend) {
    }

    private static String run;
    private static final Map<Integer, Entry> SHARDS = new HashMap<>();

    private ShardCache() {
    }

    /** The kept shard of this run's partition if it holds {@code rows} rows, else null (anything else kept of another run is closed). */
    static synchronized ShardTrainer take(String runId, int partition, int rows) {
        if (!runId.equals(run)) {
            closeAll();
            run = runId;
        }
        Entry e = SHARDS.get(partition);
        if (e != null && e.trainer().shardSize() != rows) {
            drop(runId, partition);
            return null;
        }
        return e == null ? null : e.trainer();
    }

    /** Keeps a newly built shard for the run's next stages; returns it. */
    static synchronized ShardTrainer keep(String runId, int partition, ShardTrainer trainer, Backend backend) {
        if (!runId.equals(run)) {
            closeAll();
            run = runId;
        }
        drop(runId, partition);
        SHARDS.put(partition, new Entry(trainer, backend));
        return trainer;
    }

    /** Closes the run's shard of a partition, if kept. */
    static synchronized void drop(String runId, int partition) {
        if (runId.equals(run)) {
            Entry e = SHARDS.remove(partition);
            if (e != null) {
                e.trainer().close();
                e.backend().close();
            }
        }
    }

    private static void closeAll() {
        for (Entry e : SHARDS.values()) {
            e.trainer().close();
            e.backend().close();
        }
        SHARDS.clear();
    }
}
