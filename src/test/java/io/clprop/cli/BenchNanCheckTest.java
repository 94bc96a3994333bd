package io.clprop.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.clprop.TestDevices;
import io.clprop.data.IdxFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static io.clprop.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `bench --nan-check-every` measures the training loop with the divergence check as train runs it: each
 * mid-epoch check is one 4-byte blocking read, counted by the backend; 0 leaves only the epoch-end check,
 * which rides in the epoch's one read, so a step then costs no byte and no wait.
 */
class BenchNanCheckTest {

    @Test
    void midEpochChecksAreCountedAndZeroRemovesThem(@TempDir Path data) throws IOException {
        TestDevices.openCl().close(); // skip (or fail in CI) without OpenCL
        IdxFiles.writeMnistFolder(data, false, 200, 4, 4, 3);
        // batch 20: 10 steps an epoch; a check after every 2nd step except the last: steps 2, 4, 6, 8.
        JsonObject every2 = workload(data, "2");
        assertEquals(2, every2.get("nan_check_every").getAsInt());
        JsonObject w = every2.getAsJsonArray("workloads").get(0).getAsJsonObject();
        assertEquals(0.4, w.get("syncs_per_step").getAsDouble(), 1e-12);
        assertEquals(0.4 * 4, w.get("d2h_bytes_per_step").getAsDouble(), 1e-12);

        JsonObject w0 = workload(data, "0").getAsJsonArray("workloads").get(0).getAsJsonObject();
        assertEquals(0.0, w0.get("syncs_per_step").getAsDouble());
        assertEquals(0.0, w0.get("d2h_bytes_per_step").getAsDouble());
        assertEquals(0.0, w0.get("h2d_bytes_per_step").getAsDouble());

        CliTest.Result bad = run("bench", "--data", data.toString(), "--nan-check-every", "-1");
        assertEquals(2, bad.status(), bad.out() + bad.err());
        assertTrue(bad.err().contains("--nan-check-every must be ≥ 0, got -1"), bad.err());
    }

    private static JsonObject workload(Path data, String every) throws IOException {
        Path json = data.resolve("bench-" + every + ".json");
        CliTest.Result r = run("bench", "--data", data.toString(), "--batches", "20", "--epochs", "2", "--no-gemm",
                "--no-profile", "--nan-check-every", every, "--json", json.toString());
        assertEquals(0, r.status(), r.out() + r.err());
        return JsonParser.parseString(Files.readString(json)).getAsJsonObject();
    }
}
