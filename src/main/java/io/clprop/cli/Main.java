package io.clprop.cli;

import io.clprop.util.InvalidSetting;
import io.clprop.util.UserError;
import io.clprop.verify.CheckFailure;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/**
 * clprop's command line. Exit status: 0 success, 1 a failure inside clprop (a bug: one line, the stack
 * trace with --debug), 2 bad input or a missing piece of the machine's setup (one line naming it), 3 a
 * verification (verify, gradcheck, train --check-every) found results beyond tolerance, 4 training diverged
 * (NaN or infinite loss or weights; the last checkpoint is left as it was).
 */
@Command(name = "clprop", mixinStandardHelpOptions = true, version = "clprop " + Main.VERSION,
        description = "Train neural networks by backpropagation in OpenCL kernels, cross-checked against a CPU path.",
        subcommands = {DevicesCommand.class, TrainCommand.class, EvalCommand.class, PredictCommand.class, ExportCommand.class, VerifyCommand.class, GradCheckCommand.class, BenchCommand.class, TuneCommand.class})
public final class Main implements Runnable {
    /** clprop's version, as --version prints it and exported files name their producer. */
    static final String VERSION = "0.1.0";
    public static final int EXIT_INTERNAL = 1;
    public static final int EXIT_USAGE = 2;
    /** A verification found the device (or the CPU path) wrong beyond tolerance. */
    public static final int EXIT_CHECK_FAILED = 3;
    /** Training diverged: the loss or a weight became NaN or infinite. */
    public static final int EXIT_DIVERGED = 4;
    /**
     * The longest message printed, in characters. Messages quote file content cut short where they build it;
     * this is the backstop for any that does not (or that echoes a huge option value): no path prints a line
     * of megabytes. The start is kept, since it names the file or option.
     */
    static final int MAX_MESSAGE = 500;
    /** Detail lines (a build log) shown after an error's one-line message. */
    static final int MAX_DETAIL_LINES = 40;

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces for errors.")
    boolean debug;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "missing command (devices, train, eval, predict, export, verify, gradcheck, bench, tune)");
    }

    public static void main(String[] args) {
        Interrupts.install();
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs a command line with the given streams and returns the exit status (tests call this directly). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        Main main = new Main();
        return execute(new CommandLine(main), () -> main.debug, args, out, err);
    }

    /**
     * Runs {@code cl} (clprop's commands, or a command with a main of its own, as {@link SparkTrain}) with the
     * exit statuses and one-line errors described above; {@code debug} says whether --debug was given.
     */
    static int execute(CommandLine cl, java.util.function.BooleanSupplier debugGiven, String[] args, PrintWriter out,
                       PrintWriter err) {
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            String cmd = ex.getCommandLine().getCommandName();
            err.println("clprop" + (cmd.equals("clprop") ? "" : " " + cmd) + ": " + shown(ex.getMessage())
                    + " (see --help)");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean debug = debugGiven.getAsBoolean() || parseResult.hasMatchedOption("--debug");
            if (debug) {
                ex.printStackTrace(err);
            }
            if (ex instanceof CheckFailure) {
                err.println("clprop: check failed: " + shown(ex.getMessage()));
                return EXIT_CHECK_FAILED;
            }
            if (ex instanceof io.clprop.train.TrainingDiverged d) {
                err.println("clprop: " + shown(OptionNames.render(d.text())));
                return EXIT_DIVERGED;
            }
            if (ex instanceof InvalidSetting s) {
                err.println("clprop: error: " + shown(OptionNames.render(s.text())));
                return EXIT_USAGE;
            }
            if (ex instanceof UserError u) {
                err.println("clprop: error: " + shown(OptionNames.render(u.text())));
                // Details (a kernel's build log) follow on lines of their own, each cut like a message.
                u.details().stream().limit(MAX_DETAIL_LINES).forEach(line -> err.println("    " + shown(line)));
                return EXIT_USAGE;
            }
            err.println("clprop: internal error: " + ex.getClass().getSimpleName() + ": " + shown(ex.getMessage())
                    + (debug ? "" : " (run with --debug for the stack trace)"));
            return EXIT_INTERNAL;
        });
        int status = cl.execute(args);
        out.flush();
        err.flush();
        return status;
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    /** A message as printed: on one line, and cut after {@link #MAX_MESSAGE} characters. */
    static String shown(String s) {
        if (s == null) {
            return "";
        }
        // Cut before joining lines: the regex need not walk megabytes that are not printed.
        String head = s.length() > MAX_MESSAGE + 100 ? s.substring(0, MAX_MESSAGE + 100) : s;
        String line = oneLine(head);
        if (line.length() <= MAX_MESSAGE && head.length() == s.length()) {
            return line;
        }
        int cut = Math.min(line.length(), MAX_MESSAGE);
        if (cut > 0 && Character.isHighSurrogate(line.charAt(cut - 1))) {
            cut--;
        }
        return line.substring(0, cut) + "… (" + s.length() + " characters in all)";
    }
}
