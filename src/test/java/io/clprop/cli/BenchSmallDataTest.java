package io.clprop.cli;

import io.clprop.data.IdxFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.clprop.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `bench` on a data set smaller than its 128-sample start-up batch measures instead of failing inside. */
class BenchSmallDataTest {
    @Test
    void fewerSamplesThanTheStartUpBatch(@TempDir Path dir) {
        IdxFiles.writeMnistFolder(dir, false, 60, 20, 28, 28);
        CliTest.Result r = run("bench", "--device", "cpu", "--data", dir.toString(), "--batches", "20", "--epochs", "1",
                "--no-gemm", "--no-profile");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("batch   20"), r.out());
        CliTest.Result big = run("bench", "--device", "cpu", "--data", dir.toString(), "--batches", "100", "--epochs",
                "1", "--no-gemm", "--no-profile");
        assertEquals(2, big.status(), big.out() + big.err());
        assertTrue(big.err().contains("--batches: 100 is larger than the training set"), big.err());
    }
}
