package io.clprop;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packages stand in floors, and code uses only the floors below its own: no package cycle, and a
 * newcomer can read the tree bottom up. A package new to the tree must be given its floor here.
 */
class PackageLayersTest {
    private static final Path MAIN = Path.of("src/main/java/io/clprop");

    /** Floor of each top-level package: util at the bottom, the command line at the top. */
    private static final Map<String, Integer> FLOORS = Map.ofEntries(
            Map.entry("util", 0),
            Map.entry("data", 1),
            Map.entry("backend", 1),  // what the numbers are, and where they live
            Map.entry("nn", 2),  // the network on a backend
            Map.entry("model", 3),
            Map.entry("verify", 3),  // model files; checks of kernels and gradients
            Map.entry("train", 4),  // the training loop
            Map.entry("report", 5),
            Map.entry("bench", 5),  // what a run shows and measures
            Map.entry("spark", 5),  // training on a Spark cluster
            Map.entry("cli", 6));  // the command line

    private static final Pattern USE = Pattern.compile("\\bio\\.clprop\\.([a-z]+)\\b");
    private static final Pattern COMMENT = Pattern.compile("//[^\\n]*|/\\*[\\s\\S]*?\\*/");

    @Test
    void everyPackageUsesOnlyTheFloorsBelowIt() throws IOException {
        List<String> wrong = new ArrayList<>();
        TreeSet<String> packages = new TreeSet<>();
        int files = 0;
        try (Stream<Path> all = Files.walk(MAIN)) {
            for (Path p : all.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                files++;
                String from = MAIN.relativize(p).getName(0).toString();
                packages.add(from);
                assertTrue(FLOORS.containsKey(from), "package " + from + " has no floor in this test");
                // Javadoc may point anywhere; code may not.
                Matcher m = USE.matcher(COMMENT.matcher(Files.readString(p)).replaceAll(""));
                TreeSet<String> used = new TreeSet<>();
                while (m.find()) {
                    used.add(m.group(1));
                }
                for (String to : used) {
                    if (!to.equals(from) && FLOORS.containsKey(to) && FLOORS.get(to) >= FLOORS.get(from)) {
                        wrong.add(MAIN.relativize(p) + " uses " + to + " (floor " + FLOORS.get(to) + " ≥ "
                                + FLOORS.get(from) + ")");
                    }
                }
            }
        }
        assertTrue(files > 50, "read only " + files + " source files");
        assertEquals(new TreeSet<>(FLOORS.keySet()), packages, "packages of the tree vs floors of this test");
        assertEquals(List.of(), wrong);
    }
}
