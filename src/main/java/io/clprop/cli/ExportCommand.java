package io.clprop.cli;

import io.clprop.model.ModelFile;
import io.clprop.util.AtomicFiles;
import io.clprop.util.UserError;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * `clprop export`: a saved model written in a format other runtimes read (see {@link ExportFormat}), the file
 * written whole or not at all.
 */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a saved model in a format other runtimes load.",
                "onnx: an ONNX model (opset 13) whose graph takes the raw features predict reads (missing-value "
                        + "fill and standardisation included) and gives what predict prints (class probabilities, "
                        + "or sigmoid outputs for mse models).",
                "safetensors: the parameters under the state_dict names of the equivalent torch.nn.Sequential "
                        + "(float32), the network, classes, features and preprocessing in its metadata."})
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "The model file (train --save).")
    Path model;

    @Option(names = "--format", required = true, paramLabel = "FORMAT", converter = ExportFormat.Converter.class,
            completionCandidates = ExportFormat.Names.class,
            description = "The format to write: ${COMPLETION-CANDIDATES}.")
    ExportFormat format;

    @Option(names = "--output", required = true, paramLabel = "FILE",
            description = "The file to write (replaced whole, or left as it was if anything fails).")
    Path output;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        AtomicFiles.checkWritable(output, "--output");
        ModelFile m = ModelFile.read(model);
        byte[] bytes;
        try {
            bytes = format.bytes(m);
        } catch (UserError e) {
            throw new UserError(model + ": " + e.text(), e);
        }
        AtomicFiles.writeBytes(output, bytes);
        out.println("model    " + model + ": " + m.spec().describe());
        out.println("written  " + output + " (" + format.what + ", " + bytes.length + " bytes)");
        return 0;
    }
}
