package io.clprop.train;

import io.clprop.backend.Backend;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.data.Dataset;
import io.clprop.nn.LayerList;
import io.clprop.nn.LossKind;
import io.clprop.nn.optim.OptimizerConfig;
import io.clprop.util.InvalidSetting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.clprop.train.DataParallelTrainingTest.BLOBS;
import static io.clprop.train.DataParallelTrainingTest.MLP;
import static io.clprop.train.DataParallelTrainingTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shards of a run in threads of one JVM, meeting through an in-memory all-gather, as a cluster's tasks meet
 * through Spark's: against one process's Trainer on the whole set, after an epoch of 50 steps, within the
 * training cross-check's tolerance (1e-4 · max|w|; measured ratios printed), every shard holding the same
 * weights bit for bit. The shards' rows are scattered through the set (round robin, or uneven blocks), so
 * every batch draws rows from each shard in varying numbers, some steps none from one.
 */
class ShardTrainerTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("sgd, 2 shards round robin", MLP, BLOBS, 2, false),
                Arguments.of("adam mse, 3 shards in uneven blocks", MLP.toBuilder().loss(LossKind.MSE).learningRate(0.01)
                        .optimizer(OptimizerConfig.adam()).batch(37).build(), BLOBS, 3, true),
                Arguments.of("cnn, 2 shards", TrainConfig.builder().layers(LayerList.parse(CnnTrainingCrossCheckTest.LAYERS))
                        .learningRate(0.1).batch(32).epochs(1).seed(5).build(), CnnTrainingCrossCheckTest.DATA, 2, false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void shardsTrainAsOneProcess(String name, TrainConfig config, Dataset data, int shards, boolean blocks)
            throws Exception {
        float[] one;
        double oneLoss;
        try (Backend cpu = new CpuBackend(); Trainer t = new Trainer(cpu, config, data, null)) {
            oneLoss = t.trainEpoch().trainLoss();
            one = t.network().parameters();
        }
        List<int[]> ids = blocks ? blocks(data.size(), shards) : roundRobin(data.size(), shards);
        List<Result> results = runShards(config, data, ids);
        for (Result r : results) {
            assertArrayEquals(results.get(0).weights, r.weights, "shard weights differ");
            assertEquals(results.get(0).loss, r.loss, "shard losses differ");
        }
        assertClose(name, one, results.get(0).weights);
        assertEquals(oneLoss, results.get(0).loss, 1e-5 * oneLoss);
    }

    /**
     * Parameter averaging: one shard that averages with itself every 4 steps is the synchronous run exactly
     * (its updates are those of the whole batch); two shards end each epoch with the same weights bit for bit,
     * and learn (the loss falls below the first epoch's).
     */
    @Test
    void parameterAveragingKeepsTheShardsIdenticalAndOneShardIsTheSynchronousRun() throws Exception {
        TrainConfig config = MLP.toBuilder().epochs(2).build();
        int[] all = IntStream.range(0, BLOBS.size()).toArray();
        List<Result> sync = runShards(config, BLOBS, List.of(all), 0);
        List<Result> averaged = runShards(config, BLOBS, List.of(all), 4);
        assertArrayEquals(sync.get(0).weights, averaged.get(0).weights);
        List<Result> two = runShards(config, BLOBS, roundRobin(BLOBS.size(), 2), 4);
        assertArrayEquals(two.get(0).weights, two.get(1).weights, "the shards' averaged weights differ");
        assertEquals(two.get(0).loss, two.get(1).loss);
        assertTrue(two.get(0).loss < 0.5, "loss after 2 epochs " + two.get(0).loss);
    }

    @Test
    void whatAShardCannotDoIsRefused() {
        Dataset d = BLOBS.head(100);
        int[] ids = IntStream.range(0, 100).toArray();
        for (TrainConfig bad : List.of(MLP.toBuilder().dropout(0.2).build(), MLP.toBuilder().validation(0.1).build(),
                MLP.toBuilder().checkEvery(3).build(), MLP.toBuilder().batch(101).build())) {
            try (Backend cpu = new CpuBackend()) {
                assertThrows(InvalidSetting.class, () -> new ShardTrainer(cpu, bad, Trainer.specFor(bad, d), d, ids, 100,
                        new InMemoryExchange(new CyclicBarrier(1), new float[1][], 0)));
            }
        }
    }

    record Result(float[] weights, double loss) {
    }

    static List<int[]> roundRobin(int n, int shards) {
        List<int[]> out = new ArrayList<>();
        for (int s = 0; s < shards; s++) {
            final int k = s;
            out.add(IntStream.range(0, n).filter(i -> i % shards == k).toArray());
        }
        return out;
    }

    /** Contiguous blocks of sizes 1 : 2 : 3 …. */
    static List<int[]> blocks(int n, int shards) {
        List<int[]> out = new ArrayList<>();
        int total = shards * (shards + 1) / 2, start = 0;
        for (int s = 0; s < shards; s++) {
            int end = s == shards - 1 ? n : start + n * (s + 1) / total;
            out.add(IntStream.range(start, end).toArray());
            start = end;
        }
        return out;
    }

    static List<Result> runShards(TrainConfig config, Dataset data, List<int[]> ids) throws Exception {
        return runShards(config, data, ids, 0);
    }

    /** The shards in threads, each training every epoch of the config; its weights and last epoch's loss. */
    static List<Result> runShards(TrainConfig config, Dataset data, List<int[]> ids, int averageEvery) throws Exception {
        int shards = ids.size();
        CyclicBarrier barrier = new CyclicBarrier(shards);
        float[][] board = new float[shards][];
        ExecutorService pool = Executors.newFixedThreadPool(shards);
        try {
            List<Future<Result>> futures = new ArrayList<>();
            for (int s = 0; s < shards; s++) {
                final int k = s;
                futures.add(pool.submit(() -> {
                    Dataset part = data.select(ids.get(k));
                    try (Backend cpu = new CpuBackend();
                         ShardTrainer t = new ShardTrainer(cpu, config, Trainer.specFor(config, data), part, ids.get(k),
                                 data.size(), new InMemoryExchange(barrier, board, k), averageEvery)) {
                        double loss = 0;
                        while (t.epochsDone() < config.epochs()) {
                            loss = t.trainEpoch().trainLoss();
                        }
                        return new Result(t.network().parameters(), loss);
                    }
                }));
            }
            List<Result> out = new ArrayList<>();
            for (Future<Result> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** An all-gather among threads: each writes its message, all wait, all read, all wait again. */
    record InMemoryExchange(CyclicBarrier barrier, float[][] board, int shard) implements ShardExchange {
        @Override
        public int shards() {
            return board.length;
        }

        @Override
        public List<float[]> allGather(float[] mine) {
            try {
                board[shard] = mine.clone();
                barrier.await();
                List<float[]> all = new ArrayList<>();
                for (float[] m : board) {
                    all.add(m.clone());
                }
                barrier.await();
                return all;
            } catch (InterruptedException | BrokenBarrierException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
