package io.clprop.cli;

import io.clprop.util.UserError;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses repeated {@code --build-option FILE=OPTIONS} values. */
final class BuildOptions {
    private BuildOptions() {
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
