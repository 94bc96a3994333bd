package io.clprop.cli;

import io.clprop.util.UserError;
import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --build-option FILE=OPTIONS}, repeatable: extra OpenCL build options for one kernel file. */
final class BuildOptions {
    @Option(names = "--build-option", paramLabel = "FILE=OPTS",
            description = "Extra build options for one kernel file, e.g. gemm.cl=-DRM=8 (repeatable).")
    List<String> values;

    /** File → options, the options of a file given twice joined (OpenClBackend merges their defines). */
    Map<String, String> parse() {
        return parse(values);
    }

    /** The parsed options, refused for a run on the CPU path, which has no kernels. */
    Map<String, String> parseFor(DeviceOption device) {
        Map<String, String> parsed = parse();
        if (!parsed.isEmpty() && device.isCpu()) {
            throw new UserError("--build-option applies to OpenCL kernels; it needs --device opencl or opencl:N");
        }
        return parsed;
    }

    static Map<String, String> parse(List<String> values) {
        Map<String, String> out = new LinkedHashMap<>();
        if (values == null) {
            return out;
        }
        for (String v : values) {
            int eq = v.indexOf('=');
            if (eq <= 0 || !v.substring(0, eq).endsWith(".cl")) {
                throw new UserError("--build-option " + v + ": expected FILE.cl=OPTIONS, e.g. gemm.cl=-DRM=8");
            }
            out.merge(v.substring(0, eq), v.substring(eq + 1), (a, b) -> a + " " + b); // OpenClBackend merges defines
        }
        return out;
    }
}
