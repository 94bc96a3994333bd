package io.clprop;

import io.clprop.util.UserError;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's Java example is a program that compiles and runs against the current code. The harness knows
 * nothing of what the example does: it takes the first ```java block after the line
 * {@code <!-- example: java-api -->}, compiles it as the class its {@code public class} names (in its package,
 * if it declares one) against the test classpath, and runs its {@code main} in this JVM. The example must
 * return from main (not call System.exit). Like the device tests, an example that needs what the machine
 * lacks (a UserError: no OpenCL device, no data set) is skipped outside CI and fails in CI.
 */
class ReadmeExampleTest {
    static final String MARKER = "<!-- example: java-api -->";
    private static final Pattern OPEN_FENCE = Pattern.compile("^\\s*```java\\s*$");
    private static final Pattern CLOSE_FENCE = Pattern.compile("^\\s*```\\s*$");
    private static final Pattern PUBLIC_CLASS = Pattern.compile(
            "^\\s*public\\s+(?:(?:final|abstract)\\s+)*class\\s+([A-Za-z_$][\\w$]*)", Pattern.MULTILINE);
    private static final Pattern PACKAGE = Pattern.compile("^\\s*package\\s+([\\w.]+)\\s*;", Pattern.MULTILINE);
    private static final Duration TIME_LIMIT = Duration.ofMinutes(5);

    /** The example's source and where it goes: its package ("" for none) and class name. */
    record Example(String packageName, String className, String source) {
        String binaryName() {
            return packageName.isEmpty() ? className : packageName + "." + className;
        }

        Path sourceFile(Path root) {
            return root.resolve(binaryName().replace('.', '/') + ".java");
        }
    }

    /** The first ```java block after the marker line; an IllegalArgumentException says what is missing. */
    static Example extract(String markdown) {
        List<String> lines = markdown.lines().toList();
        int i = 0;
        while (i < lines.size() && !lines.get(i).strip().equals(MARKER)) {
            i++;
        }
        if (i == lines.size()) {
            throw new IllegalArgumentException("no line " + MARKER);
        }
        while (i < lines.size() && !OPEN_FENCE.matcher(lines.get(i)).matches()) {
            i++;
        }
        if (i == lines.size()) {
            throw new IllegalArgumentException("no ```java block after " + MARKER);
        }
        StringBuilder source = new StringBuilder();
        for (i++; i < lines.size() && !CLOSE_FENCE.matcher(lines.get(i)).matches(); i++) {
            source.append(lines.get(i)).append('\n');
        }
        if (i == lines.size()) {
            throw new IllegalArgumentException("the ```java block after " + MARKER + " is not closed");
        }
        Matcher cls = PUBLIC_CLASS.matcher(source);
        if (!cls.find()) {
            throw new IllegalArgumentException("the ```java block after " + MARKER + " declares no public class");
        }
        Matcher pkg = PACKAGE.matcher(source);
        return new Example(pkg.find() ? pkg.group(1) : "", cls.group(1), source.toString());
    }

    /** README.md of the project: in the working directory (Maven runs tests in the project root) or above. */
    static Path findReadme() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("README.md")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir.resolve("README.md");
            }
        }
        throw new IllegalStateException("no README.md beside a pom.xml in " + Path.of("").toAbsolutePath() + " or above");
    }

    @Test
    void theReadmeExampleCompilesAndRuns(@TempDir Path dir) throws Exception {
        Example example = extract(Files.readString(findReadme()));
        Path classes = compile(example, dir);
        String printed = run(example, classes);
        System.out.println("README example " + example.binaryName() + " printed:\n" + printed);
    }

    /** Compiles into dir/classes; a failure lists javac's diagnostics with the example's line numbers. */
    static Path compile(Example example, Path dir) throws IOException {
        Path sources = dir.resolve("src"), classes = dir.resolve("classes");
        Path file = example.sourceFile(sources);
        Files.createDirectories(file.getParent());
        Files.createDirectories(classes);
        Files.writeString(file, example.source());
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Assertions.assertNotNull(javac, "no system Java compiler: the tests need a JDK, not a JRE");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-classpath", System.getProperty("java.class.path"), "-d", classes.toString(),
                    "-encoding", "UTF-8", "-proc:none");
            boolean ok = javac.getTask(null, files, diagnostics, options, null, files.getJavaFileObjects(file.toFile())).call();
            StringBuilder report = new StringBuilder();
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                report.append("\n  line ").append(d.getLineNumber()).append(": ").append(d.getKind()).append(": ")
                        .append(d.getMessage(null));
            }
            assertTrue(ok, "the README example " + example.binaryName() + " does not compile:" + report);
        }
        return classes;
    }

    /** Runs main with no arguments; returns what it printed. Skips (fails in CI) if it lacks a device or data. */
    static String run(Example example, Path classes) throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream savedOut = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[]{classes.toUri().toURL()},
                ReadmeExampleTest.class.getClassLoader())) {
            Class<?> cls = loader.loadClass(example.binaryName());
            Method main = cls.getMethod("main", String[].class);
            assertTrue(Modifier.isStatic(main.getModifiers()), "main must be static");
            System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
            Assertions.assertTimeoutPreemptively(TIME_LIMIT, () -> {
                try {
                    main.invoke(null, (Object) new String[0]);
                } catch (InvocationTargetException e) {
                    Throwable cause = e.getCause();
                    UserError setup = userError(cause);
                    if (setup != null) {
                        String msg = "the README example needs what this machine lacks: " + setup.getMessage();
                        if (TestDevices.inCi()) {
                            Assertions.fail("CI=true and " + msg, cause);
                        }
                        Assumptions.abort(msg);
                    }
                    throw new AssertionError("the README example " + example.binaryName() + " threw " + cause
                            + "\nafter printing:\n" + printed.toString(StandardCharsets.UTF_8), cause);
                }
            }, "the README example " + example.binaryName() + " ran longer than " + TIME_LIMIT);
        } finally {
            System.setOut(savedOut);
        }
        return printed.toString(StandardCharsets.UTF_8);
    }

    private static UserError userError(Throwable t) {
        for (; t != null; t = t.getCause()) {
            if (t instanceof UserError u) {
                return u;
            }
        }
        return null;
    }

    // ---- the harness itself ---------------------------------------------------------------------------

    @Test
    void extractTakesTheFirstJavaBlockAfterTheMarker() {
        String md = String.join("\n",
                "```java", "public class Before {}", "```",
                "text", MARKER, "", "```sh", "bin/clprop train", "```",
                "```java", "package demo.x;", "", "public final class Wanted {", "  // ```java inside a comment", "}", "```",
                "```java", "public class After {}", "```");
        Example e = extract(md);
        assertEquals("Wanted", e.className());
        assertEquals("demo.x", e.packageName());
        assertEquals("demo.x.Wanted", e.binaryName());
        assertTrue(e.source().contains("public final class Wanted {"), e.source());
        assertTrue(!e.source().contains("After") && !e.source().contains("Before"), e.source());
        assertEquals(Path.of("r/demo/x/Wanted.java"), e.sourceFile(Path.of("r")));
    }

    @Test
    void extractSaysWhatIsMissing() {
        String noMarker = "```java\npublic class A {}\n```\n";
        String noBlock = MARKER + "\n```sh\nls\n```\n";
        String unclosed = MARKER + "\n```java\npublic class A {}\n";
        String noClass = MARKER + "\n```java\nclass A {}\n```\n";
        assertTrue(assertThrows(IllegalArgumentException.class, () -> extract(noMarker)).getMessage().contains("no line"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> extract(noBlock)).getMessage().contains("no ```java block"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> extract(unclosed)).getMessage().contains("not closed"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> extract(noClass)).getMessage().contains("no public class"));
    }

    /** The harness reports an example that does not compile, and one that throws, as failures. */
    @Test
    void brokenExamplesFail(@TempDir Path dir) throws IOException {
        Example wontCompile = extract(MARKER + "\n```java\npublic class Broken { void f() { int x = \"s\"; } }\n```\n");
        AssertionError e = assertThrows(AssertionError.class, () -> compile(wontCompile, dir.resolve("a")));
        assertTrue(e.getMessage().contains("does not compile") && e.getMessage().contains("line 1"), e.getMessage());

        Example throwing = extract(MARKER + "\n```java\npublic class Throws { public static void main(String[] a) {"
                + " System.out.println(\"started\"); throw new IllegalStateException(\"boom\"); } }\n```\n");
        Path classes = compile(throwing, dir.resolve("b"));
        AssertionError t = assertThrows(AssertionError.class, () -> run(throwing, classes));
        assertTrue(t.getMessage().contains("boom") && t.getMessage().contains("started"), t.getMessage());

        Example fine = extract(MARKER + "\n```java\npublic class Fine { public static void main(String[] a) {"
                + " System.out.println(io.clprop.nn.Network.builder().input(3).output(2, io.clprop.nn.LossKind.MSE)"
                + ".build().describe()); } }\n```\n");
        Path fineClasses = compile(fine, dir.resolve("c"));
        Assertions.assertDoesNotThrow(() -> assertEquals("3-2 sigmoid mse", run(fine, fineClasses).strip()));
    }
}
