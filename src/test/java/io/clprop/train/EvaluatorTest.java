package io.clprop.train;

import io.clprop.report.ConfusionMatrix;

import io.clprop.HostForward;
import io.clprop.SyntheticData;
import io.clprop.TestDevices;
import io.clprop.backend.Backend;
import io.clprop.backend.TransferStats;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.data.Dataset;
import io.clprop.backend.Activation;
import io.clprop.nn.Init;
import io.clprop.nn.LossKind;
import io.clprop.nn.Network;
import io.clprop.nn.NetworkSpec;
import io.clprop.verify.StepReplay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The device-side evaluation against a host computation in double, on both backends, in chunks that do not
 * divide the data set. Tolerance for the loss: {@link StepReplay#tolerance} relative (the bound of a
 * whole training step, which contains this forward pass and a mean over at most a chunk of rows); a
 * prediction may differ from the double-precision one only where that sample's two largest outputs are
 * closer than the same tolerance times the row's largest |output|.
 */
class EvaluatorTest {
    static final int N = 1037, CHUNK = 100;

    /** A 12-9-4 network trained briefly on the CPU path, so accuracies are far from chance and from 1. */
    static float[] trained(LossKind loss, Dataset train) {
        TrainConfig c = new TrainConfig(new int[]{9}, Activation.TANH, loss, loss == LossKind.MSE ? 1f : 0.2f, 32, 2, 0, 5,
                Init.AUTO);
        try (Backend cpu = new CpuBackend(); Trainer t = new Trainer(cpu, c, train, null)) {
            t.fit(m -> { });
            return t.network().parameters();
        }
    }

    /** Training and test samples from the same blobs (the centres depend on the seed). */
    static final Dataset ALL = SyntheticData.blobs(600 + N, 12, 4, 0.45, 11);

    static Dataset train() {
        return ALL.head(600);
    }

    static Dataset test() {
        int d = ALL.featureCount();
        return new Dataset(java.util.Arrays.copyOfRange(ALL.features(), 600 * d, ALL.size() * d),
                java.util.Arrays.copyOfRange(ALL.labels(), 600, ALL.size()), d, ALL.numClasses());
    }

    static NetworkSpec spec(LossKind loss) {
        return NetworkSpec.mlp(12, new int[]{9}, Activation.TANH, 4, loss);
    }

    static double hostLoss(LossKind loss, double[][] y, int[] labels) {
        double sum = 0;
        for (int i = 0; i < y.length; i++) {
            if (loss == LossKind.MSE) {
                for (int c = 0; c < y[i].length; c++) {
                    double d = y[i][c] - (c == labels[i] ? 1 : 0);
                    sum += 0.5 * d * d;
                }
            } else {
                double max = Double.NEGATIVE_INFINITY, s = 0;
                for (double v : y[i]) {
                    max = Math.max(max, v);
                }
                for (double v : y[i]) {
                    s += Math.exp(v - max);
                }
                sum += max + Math.log(s) - y[i][labels[i]];
            }
        }
        return sum / y.length;
    }

    Evaluator.Evaluation evaluateOn(Backend b, LossKind loss, float[] params, Dataset test, int chunk) {
        try (Network net = new Network(b, spec(loss), chunk);
             DeviceDataset d = new DeviceDataset(b, test, loss == LossKind.MSE)) {
            net.setParameters(params);
            return Evaluator.evaluate(b, net, d);
        }
    }

    @ParameterizedTest
    @EnumSource(LossKind.class)
    void cpuAndDeviceAgreeWithTheHostInDouble(LossKind loss) {
        Dataset test = test();
        float[] params = trained(loss, train());
        NetworkSpec spec = spec(loss);
        double[][] y = HostForward.outputs(spec, params, test);
        double expectedLoss = hostLoss(loss, y, test.labels());
        double tol = StepReplay.tolerance(spec, CHUNK);
        Evaluator.Evaluation cpu;
        try (Backend b = new CpuBackend()) {
            cpu = evaluateOn(b, loss, params, test, CHUNK);
        }
        Evaluator.Evaluation device;
        try (Backend b = TestDevices.openCl()) {
            device = evaluateOn(b, loss, params, test, CHUNK);
        }
        for (Evaluator.Evaluation e : List.of(cpu, device)) {
            assertEquals(expectedLoss, e.loss(), tol * expectedLoss, "loss");
            int correct = 0, allowed = 0;
            for (int i = 0; i < N; i++) {
                int best = HostForward.argmax(y[i]);
                correct += best == test.labels()[i] ? 1 : 0;
                if (e.predictions()[i] != best) {
                    double margin = y[i][best] - y[i][e.predictions()[i]];
                    assertTrue(margin <= tol * HostForward.maxAbs(y[i]), "sample " + i + " predicted " + e.predictions()[i]
                            + " instead of " + best + " with margin " + margin);
                    allowed++;
                }
            }
            assertEquals((double) correct / N, e.accuracy(), (double) allowed / N, "accuracy");
        }
        double acc = cpu.accuracy();
        assertTrue(acc > 0.5 && acc < 1, "a test with teeth needs an accuracy away from chance and from 1: " + acc);
        assertEquals(cpu.accuracy(), device.accuracy(), 2.0 / N);
        assertEquals(cpu.loss(), device.loss(), tol * cpu.loss());
    }

    @Test
    void chunkSizeDoesNotChangeTheResult() {
        Dataset test = test();
        float[] params = trained(LossKind.SOFTMAX_CE, train());
        try (Backend b = new CpuBackend()) {
            Evaluator.Evaluation whole = evaluateOn(b, LossKind.SOFTMAX_CE, params, test, N);
            for (int chunk : new int[]{1, 7, CHUNK, N - 1}) {
                Evaluator.Evaluation e = evaluateOn(b, LossKind.SOFTMAX_CE, params, test, chunk);
                assertArrayEquals(whole.predictions(), e.predictions(), "chunk " + chunk);
                assertEquals(whole.loss(), e.loss(), 1e-6 * whole.loss(), "chunk " + chunk);
            }
        }
    }

    @Test
    void twoReadsWhateverTheNumberOfChunks() {
        Dataset test = test();
        float[] params = trained(LossKind.SOFTMAX_CE, train());
        try (Backend b = TestDevices.openCl(); Network net = new Network(b, spec(LossKind.SOFTMAX_CE), CHUNK);
             DeviceDataset d = new DeviceDataset(b, test, false); Evaluator ev = new Evaluator(b, net, d)) {
            net.setParameters(params);
            TransferStats before = b.transfers().snapshot();
            ev.evaluate();
            TransferStats t = b.transfers().since(before);
            int chunks = (N + CHUNK - 1) / CHUNK;
            assertEquals(0, t.hostToDeviceBytes());
            assertEquals(4L * chunks + 4L * N, t.deviceToHostBytes(), "chunk losses + predictions");
            assertEquals(2, t.blockingWaits());
            int live = b.liveBuffers();
            ev.evaluate(); // reusable, allocates nothing
            assertEquals(live, b.liveBuffers());
        }
    }

    @Test
    void refusesDataTheNetworkCannotTake() {
        try (Backend b = new CpuBackend(); Network net = new Network(b, spec(LossKind.MSE), 10)) {
            try (DeviceDataset noTargets = new DeviceDataset(b, test(), false)) {
                assertThrows(IllegalArgumentException.class, () -> new Evaluator(b, net, noTargets));
            }
            try (DeviceDataset wide = new DeviceDataset(b, SyntheticData.blobs(5, 13, 4, 0.1, 1), true)) {
                assertThrows(IllegalArgumentException.class, () -> new Evaluator(b, net, wide));
            }
        }
    }

    @Test
    void confusionMatrixCountsAndPrints() {
        int[] truth = {0, 0, 1, 2, 2, 2};
        int[] pred = {0, 1, 1, 2, 0, 2};
        int[][] m = ConfusionMatrix.confusion(truth, pred, 4);
        assertArrayEquals(new int[]{1, 1, 0, 0}, m[0]);
        assertArrayEquals(new int[]{0, 1, 0, 0}, m[1]);
        assertArrayEquals(new int[]{1, 0, 2, 0}, m[2]);
        assertArrayEquals(new int[]{0, 0, 0, 0}, m[3]);
        String table = ConfusionMatrix.format(m, List.of("cat", "dog", "mouse", "elephant"));
        List<String> lines = table.lines().toList();
        assertEquals(5, lines.size(), table);
        assertTrue(lines.get(0).matches("true \\\\ predicted\\s+cat\\s+dog\\s+mouse\\s+elephant\\s+recall"), table);
        assertTrue(lines.get(3).matches("mouse\\s+1\\s+0\\s+2\\s+0\\s+0\\.6667"), table);
        assertTrue(lines.get(4).endsWith("-"), "no samples, no recall: " + table);
        for (String l : lines) {
            assertEquals(lines.get(0).length(), l.length(), "aligned:\n" + table);
        }
        String indices = ConfusionMatrix.format(m, List.of());
        assertTrue(indices.lines().toList().get(1).startsWith("0 "), indices);
        // A class name holding a line break (a quoted CSV label) stays on its row, written \n.
        String broken = ConfusionMatrix.format(m, List.of("cat", "do\ng", "mouse", "ele\r\nphant"));
        assertEquals(5, broken.lines().count(), broken);
        assertTrue(broken.lines().toList().get(2).startsWith("do\\ng "), broken);
        assertTrue(broken.lines().toList().get(4).startsWith("ele\\r\\nphant "), broken);
    }
}
