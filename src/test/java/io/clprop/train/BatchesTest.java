package io.clprop.train;

import io.clprop.SyntheticData;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.data.Dataset;
import org.apache.commons.math3.random.Well19937c;
import org.apache.commons.math3.util.MathArrays;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * An epoch's batches: ten samples in batches of four are steps of 4, 4 and 2 rows; each step gathers, on the
 * device, the rows its slice of the shuffled order names; the epoch's loss weighs each step by its rows.
 */
class BatchesTest {
    static final Dataset DATA = SyntheticData.blobs(10, 3, 2, 0.1, 1);

    @Test
    void stepsCutTheSamplesIntoBatchesWithASmallerLastOne() {
        try (CpuBackend b = new CpuBackend(); DeviceDataset d = new DeviceDataset(b, DATA, false);
             Batches batches = new Batches(b, d, 4)) {
            assertEquals(3, batches.steps());
            assertEquals(4, batches.rows(0));
            assertEquals(4, batches.rows(1));
            assertEquals(2, batches.rows(2));
            assertEquals((4 * 1.0 + 4 * 1.0 + 2 * 4.0) / 10, batches.meanOverSamples(new float[]{1, 1, 4}), 1e-12);
        }
    }

    @Test
    void eachStepGathersTheRowsOfItsSliceOfTheOrder() {
        try (CpuBackend b = new CpuBackend(); DeviceDataset d = new DeviceDataset(b, DATA, true);
             Batches batches = new Batches(b, d, 4)) {
            batches.shuffle(new Well19937c(7));
            int[] order = batches.order();
            assertNotEquals(Arrays.toString(IntStream.range(0, 10).toArray()), Arrays.toString(order), "shuffled");
            assertArrayEquals(IntStream.range(0, 10).toArray(), Arrays.stream(order).sorted().toArray(),
                    "a permutation of the samples");
            float[] features = DATA.features();
            float[] targets = DATA.oneHotTargets();
            int cols = DATA.featureCount(), classes = DATA.numClasses();
            for (int s = 0; s < batches.steps(); s++) {
                int[] samples = batches.samples(s);
                assertArrayEquals(Arrays.copyOfRange(order, 4 * s, 4 * s + batches.rows(s)), samples);
                Batches.Batch batch = batches.gather(s);
                assertEquals(samples.length, batch.x().rows());
                float[] x = b.read(batch.x());
                float[] y = b.read(batch.targets());
                int[] labels = b.readInt(batch.labels());
                for (int r = 0; r < samples.length; r++) {
                    assertArrayEquals(Arrays.copyOfRange(features, samples[r] * cols, (samples[r] + 1) * cols),
                            Arrays.copyOfRange(x, r * cols, (r + 1) * cols), "step " + s + " row " + r);
                    assertArrayEquals(Arrays.copyOfRange(targets, samples[r] * classes, (samples[r] + 1) * classes),
                            Arrays.copyOfRange(y, r * classes, (r + 1) * classes));
                    assertEquals(DATA.labels()[samples[r]], labels[r]);
                }
            }
        }
    }

    @Test
    void theNextShuffleStartsFromARestoredOrder() {
        int[] saved = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
        int[] expected = saved.clone();
        MathArrays.shuffle(expected, new Well19937c(3));
        try (CpuBackend b = new CpuBackend(); DeviceDataset d = new DeviceDataset(b, DATA, false);
             Batches batches = new Batches(b, d, 4)) {
            batches.shuffle(new Well19937c(5));
            batches.restore(saved);
            assertArrayEquals(saved, batches.order());
            batches.shuffle(new Well19937c(3));
            assertArrayEquals(expected, batches.order(), "as if the run had never stopped");
            assertArrayEquals(Arrays.copyOfRange(expected, 8, 10), batches.samples(2));
            assertArrayEquals(new int[]{DATA.labels()[expected[8]], DATA.labels()[expected[9]]},
                    b.readInt(batches.gather(2).labels()), "the device's order is the restored one's shuffle");
            assertNull(batches.gather(0).targets(), "no targets without a loss that takes them");
        }
    }
}
