package io.clprop.cli;

import io.clprop.model.ModelFile;
import io.clprop.model.onnx.OnnxExport;
import io.clprop.model.safetensors.SafetensorsWriter;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.function.Function;

/**
 * The formats {@code export} writes a model in: each its name on the command line, a few words for the
 * report, and the library call that makes the file's bytes. A new format is one more constant.
 */
enum ExportFormat {
    ONNX("onnx", "ONNX model, opset " + OnnxExport.OPSET, m -> OnnxExport.toBytes(m, Main.VERSION)),
    SAFETENSORS("safetensors", "safetensors weights of the equivalent torch.nn.Sequential", SafetensorsWriter::toBytes);

    final String specName;
    final String what;
    private final Function<ModelFile, byte[]> writer;

    ExportFormat(String specName, String what, Function<ModelFile, byte[]> writer) {
        this.specName = specName;
        this.what = what;
        this.writer = writer;
    }

    /** The file's bytes; a {@link io.clprop.util.UserError} when the model cannot be written in this format. */
    byte[] bytes(ModelFile model) {
        return writer.apply(model);
    }

    /** "onnx", or "a, b or c" once there are several. */
    static String names() {
        String[] n = Arrays.stream(values()).map(f -> f.specName).toArray(String[]::new);
        return n.length == 1 ? n[0]
                : String.join(", ", Arrays.copyOf(n, n.length - 1)) + " or " + n[n.length - 1];
    }

    /** The names, for the option's help (picocli's completion candidates). */
    static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return Arrays.stream(values()).map(f -> f.specName).iterator();
        }
    }

    static final class Converter implements ITypeConverter<ExportFormat> {
        @Override
        public ExportFormat convert(String value) {
            for (ExportFormat f : values()) {
                if (f.specName.equals(value.toLowerCase(Locale.ROOT))) {
                    return f;
                }
            }
            throw new TypeConversionException("unknown format '" + value + "' (expected " + names() + ")");
        }
    }
}
