package io.clprop.backend.opencl;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A driver's build log made readable for a user: source positions point into clprop's kernel files instead
 * of the driver's temporary file, and the log is cut to its first lines (the first errors are the ones that
 * matter; a bad define can cause hundreds).
 *
 * <p>A program is built from several sources joined in order (a shared header, then the kernel file), so
 * the driver's line L is line L − (lines before it) of the part it falls in. Drivers name the joined source
 * differently (PoCL a temporary {@code tempfile_XXXX.cl}, others {@code <kernel>} or {@code <source>}); a
 * position {@code NAME:LINE:COL} with such a NAME is rewritten, anything else (clang's {@code <scratch space>}
 * of macro expansions, for one) is left as the driver wrote it.
 */
final class BuildLog {
    private static final Pattern POSITION = Pattern.compile("(?<name>[^\\s:<>=]*\\.cl|<kernel>|<source>):(?<line>\\d+):(?<col>\\d+)");

    private final List<String> partNames;
    private final int[] partLines;

    /** @param names the joined sources' file names, in order; @param sources their texts */
    BuildLog(List<String> names, List<String> sources) {
        this.partNames = List.copyOf(names);
        this.partLines = new int[sources.size()];
        for (int i = 0; i < partLines.length; i++) {
            String s = sources.get(i);
            // Each part ends with a newline (the files do), so part i's lines follow part i−1's.
            partLines[i] = (int) s.chars().filter(c -> c == '\n').count() + (s.endsWith("\n") ? 0 : 1);
        }
    }

    /** "gemm.cl:119:8" for the driver's line 150 when a 31-line header precedes gemm.cl. */
    String position(int joinedLine, int col) {
        int line = joinedLine;
        for (int i = 0; i < partLines.length; i++) {
            if (line <= partLines[i] || i == partLines.length - 1) {
                return partNames.get(i) + ":" + line + ":" + col;
            }
            line -= partLines[i];
        }
        throw new IllegalStateException("no sources");
    }

    /** The log's lines with positions rewritten, at most {@code maxLines} of them. */
    List<String> lines(String log, int maxLines) {
        List<String> out = new ArrayList<>();
        for (String line : log.strip().lines().toList()) {
            if (out.size() == maxLines) {
                break;
            }
            out.add(rewrite(line));
        }
        return out;
    }

    static int lineCount(String log) {
        return log.isBlank() ? 0 : (int) log.strip().lines().count();
    }

    private String rewrite(String line) {
        Matcher m = POSITION.matcher(line);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String replacement = partNames.contains(m.group("name")) ? m.group()
                    : position(Integer.parseInt(m.group("line")), Integer.parseInt(m.group("col")));
            m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
