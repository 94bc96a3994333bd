package io.clprop.model.onnx;

import io.clprop.TestDevices;
import io.clprop.backend.Activation;
import io.clprop.model.ModelFile;
import io.clprop.nn.LossKind;
import io.clprop.nn.NetworkSpec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The exported files against the ONNX project's own validator, a second judge beside ONNX Runtime (which
 * runs a file without checking all of it): {@code onnx.checker.check_model(full_check=True)}, which checks
 * every node against its operator's schema at the declared opset, the graph's topology and names, and runs
 * shape inference, then {@code onnx.shape_inference} must give the output the shape the README documents.
 * Debian's python3-onnx (1.12, which knows opset 13 and IR 7), with the system's python3; bin/test installs it.
 * Skipped where it is missing, a failure in CI.
 */
class OnnxCheckerTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final String CHECK = String.join("\n",
            "import sys, onnx",
            "from onnx import shape_inference",
            "for path in sys.argv[1:]:",
            "    m = onnx.load(path)",
            "    onnx.checker.check_model(m, full_check=True)",
            "    out = shape_inference.infer_shapes(m, strict_mode=True).graph.output[0]",
            "    dims = [d.dim_param or str(d.dim_value) for d in out.type.tensor_type.shape.dim]",
            "    print(path.rsplit('/', 1)[-1], 'ir', m.ir_version, 'opset', m.opset_import[0].version, 'output', 'x'.join(dims))");

    @BeforeAll
    static void needsTheChecker() throws IOException, InterruptedException {
        boolean ok = Files.isExecutable(PYTHON) && run(List.of(PYTHON.toString(), "-c", "import onnx")).status == 0;
        if (!ok && TestDevices.inCi()) {
            fail("python3-onnx is missing (bin/test installs it): the exported ONNX files cannot be validated");
        }
        Assumptions.assumeTrue(ok, "python3-onnx is not installed (apt-get install python3-onnx)");
    }

    private record Result(int status, String output) {
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out: " + command);
        }
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void everyExportedGraphPassesTheFullCheck(@TempDir Path dir) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(PYTHON.toString(), "-c", CHECK));
        List<String> expected = new ArrayList<>();
        // Every activation in an MLP, both losses; the strided, padded CNN; fill and standardisation.
        int i = 0;
        for (Activation a : Activation.values()) {
            for (LossKind loss : LossKind.values()) {
                NetworkSpec spec = NetworkSpec.mlp(10, new int[]{16, 12}, a, 5, loss);
                Path file = dir.resolve("mlp" + i++ + ".onnx");
                Files.write(file, OnnxExport.toBytes(OnnxExportTest.random(spec, 3), "test"));
                command.add(file.toString());
                expected.add(file.getFileName() + " ir 7 opset 13 output Nx5");
            }
        }
        for (LossKind loss : LossKind.values()) {
            Path file = dir.resolve("cnn-" + loss.specName + ".onnx");
            Files.write(file, OnnxExport.toBytes(OnnxExportTest.random(OnnxExportTest.cnn(loss), 7), "test"));
            command.add(file.toString());
            expected.add(file.getFileName() + " ir 7 opset 13 output Nx4");
        }
        NetworkSpec spec = NetworkSpec.mlp(6, new int[]{8}, Activation.RELU, 3, LossKind.SOFTMAX_CE);
        ModelFile pre = OnnxExportTest.withPreprocessing(spec, OnnxExportTest.rawWithGaps(40, 6, 11, true), 40, 12);
        Path file = dir.resolve("preprocessing.onnx");
        Files.write(file, OnnxExport.toBytes(pre, "test"));
        command.add(file.toString());
        expected.add(file.getFileName() + " ir 7 opset 13 output Nx3");

        Result r = run(command);
        assertEquals(0, r.status, r.output);
        assertEquals(expected, r.output.lines().toList(), r.output);
    }
}
