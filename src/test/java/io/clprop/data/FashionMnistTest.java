package io.clprop.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Loads the real Fashion-MNIST set from the Debian package, when it is installed. */
class FashionMnistTest {
    @Test
    void loadsInstalledFashionMnist() {
        if (!Files.isDirectory(MnistFolder.DEFAULT_DIR)) {
            if ("true".equals(System.getenv("CI"))) {
                fail(MnistFolder.DEFAULT_DIR + " is missing; on CI the data set must be present: "
                        + "install the Debian package dataset-fashion-mnist");
            }
            Assumptions.abort(MnistFolder.DEFAULT_DIR + " not present (install dataset-fashion-mnist)");
        }

        long start = System.nanoTime();
        MnistFolder.TrainTest data = MnistFolder.load(MnistFolder.DEFAULT_DIR);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.println("Fashion-MNIST loaded in " + millis + " ms");

        Dataset train = data.train();
        Dataset test = data.test();
        assertEquals(60_000, train.size());
        assertEquals(10_000, test.size());
        assertEquals(28 * 28, train.featureCount());
        assertEquals(28 * 28, test.featureCount());
        assertEquals(10, train.numClasses());

        int[] perClass = new int[10];
        for (int label : train.labels()) {
            perClass[label]++; // an out-of-range label would throw here
        }
        for (int c = 0; c < 10; c++) {
            assertEquals(6000, perClass[c], "train samples of class " + c);
        }
        for (int label : test.labels()) {
            assertTrue(label >= 0 && label <= 9, "test label " + label);
        }
        for (float v : train.features()) {
            if (!(v >= 0f && v <= 1f)) {
                fail("pixel value outside [0,1]: " + v);
            }
        }
    }
}
