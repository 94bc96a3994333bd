package io.clprop.cli;

import io.clprop.util.InvalidSetting;
import io.clprop.util.UserError;
import io.clprop.util.Wording;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The boundary between the library and the command line: the library names settings by its own names, the
 * command line maps each to an option that exists, and no option name is written outside cli/.
 */
class OptionNamesTest {
    private static final Path MAIN = Path.of("src/main/java/io/clprop");
    private static final Pattern SETTING = Pattern.compile("setting\\(\"([A-Za-z0-9]+)\"\\)");
    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])--[a-z][a-z0-9-]*");

    /** Every option of every command, negated forms included (--no-header). */
    private static Set<String> allOptions() {
        Set<String> names = new TreeSet<>();
        List<CommandLine> todo = new ArrayList<>(List.of(new CommandLine(new Main())));
        while (!todo.isEmpty()) {
            CommandLine c = todo.remove(todo.size() - 1);
            for (OptionSpec o : c.getCommandSpec().options()) {
                for (String n : o.names()) {
                    names.add(n);
                    if (o.negatable() && n.startsWith("--")) {
                        names.add("--no-" + n.substring(2));
                    }
                }
            }
            todo.addAll(c.getSubcommands().values());
        }
        return names;
    }

    private static List<Path> librarySources() throws IOException {
        try (Stream<Path> files = Files.walk(MAIN)) {
            return files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !p.startsWith(MAIN.resolve("cli")))
                    .sorted().toList();
        }
    }

    @Test
    void everySettingMapsToAnOptionThatExists() {
        Set<String> options = allOptions();
        for (var e : OptionNames.OPTIONS.entrySet()) {
            assertTrue(options.contains(e.getValue()), e.getKey() + " maps to " + e.getValue()
                    + ", which no command has");
        }
    }

    @Test
    void everySettingTheLibraryNamesHasAnOption() throws IOException {
        List<String> unmapped = new ArrayList<>();
        int seen = 0;
        for (Path p : librarySources()) {
            Matcher m = SETTING.matcher(Files.readString(p));
            while (m.find()) {
                seen++;
                if (!OptionNames.OPTIONS.containsKey(m.group(1))) {
                    unmapped.add(MAIN.relativize(p) + ": " + m.group(1));
                }
            }
        }
        assertTrue(seen > 20, "the scan found only " + seen + " settings named: is it reading the sources?");
        assertEquals(List.of(), unmapped);
    }

    @Test
    void noOptionNameIsWrittenOutsideTheCommandLine() throws IOException {
        Set<String> options = allOptions();
        List<String> found = new ArrayList<>();
        for (Path p : librarySources()) {
            List<String> lines = Files.readAllLines(p);
            for (int i = 0; i < lines.size(); i++) {
                Matcher m = OPTION.matcher(lines.get(i));
                while (m.find()) {
                    if (options.contains(m.group())) {
                        found.add(MAIN.relativize(p) + ":" + (i + 1) + ": " + m.group());
                    }
                }
            }
        }
        assertEquals(List.of(), found);
    }

    @Test
    void aLibraryMessageReadsWithFieldNamesAndPrintsWithOptionNames() {
        String text = Wording.setting("batchSize") + " 0 must be positive (or lower "
                + Wording.setting("learningRate") + ")";
        InvalidSetting e = new InvalidSetting(text);
        assertEquals("batchSize 0 must be positive (or lower learningRate)", e.getMessage());
        assertEquals("--batch 0 must be positive (or lower --lr)", OptionNames.render(e.text()));
        UserError u = UserError.of(e);
        assertEquals(e.getMessage(), u.getMessage());
        assertEquals("--batch 0 must be positive (or lower --lr)", OptionNames.render(u.text()));
        // A name the table lacks is shown as the library's, not dropped.
        assertEquals("fooBar is off", OptionNames.render(Wording.setting("fooBar") + " is off"));
    }

    @Test
    void theCommandLinePrintsALibraryCheckWithTheOptionName() {
        CliTest.Result r = CliTest.run("train", "--device", "cpu", "--batch", "0");
        assertEquals(Main.EXIT_USAGE, r.status());
        assertEquals("clprop: error: --batch must be positive, got 0", r.err().strip());
    }
}
