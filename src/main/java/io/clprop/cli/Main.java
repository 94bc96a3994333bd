package io.clprop.cli;

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
@Command(name = "clprop", mixinStandardHelpOptions = true, version = "clprop 0.1.0",
        description = "Train neural networks by backpropagation in OpenCL kernels, cross-checked against a CPU path.",
        subcommands = {DevicesCommand.class, TrainCommand.class, EvalCommand.class, PredictCommand.class, VerifyCommand.class, GradCheckCommand.class, BenchCommand.class, TuneCommand.class})
public final class Main implements Runnable {
    public static final int EXIT_INTERNAL = 1;
    public static final int EXIT_USAGE = 2;
    /** A verification found the device (or the CPU path) wrong beyond tolerance. */
    public static final int EXIT_CHECK_FAILED = 3;
    /** Training diverged: the loss or a weight became NaN or infinite. */
    public static final int EXIT_DIVERGED = 4;

    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces for errors.")
    boolean debug;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(new CommandLine(this), "missing command (devices, train, eval, predict, verify, gradcheck, bench, tune)");
    }

    public static void main(String[] args) {
        Interrupts.install();
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs a command line with the given streams and returns the exit status (tests call this directly). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        Main main = new Main();
        CommandLine cl = new CommandLine(main);
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            String cmd = ex.getCommandLine().getCommandName();
            err.println("clprop" + (cmd.equals("clprop") ? "" : " " + cmd) + ": " + oneLine(ex.getMessage())
                    + " (see --help)");
            return EXIT_USAGE;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean debug = main.debug || parseResult.hasMatchedOption("--debug");
            if (debug) {
                ex.printStackTrace(err);
            }
            if (ex instanceof CheckFailure) {
                err.println("clprop: check failed: " + oneLine(ex.getMessage()));
                return EXIT_CHECK_FAILED;
            }
            if (ex instanceof io.clprop.train.TrainingDiverged) {
                err.println("clprop: " + oneLine(ex.getMessage()));
                return EXIT_DIVERGED;
            }
            if (ex instanceof UserError) {
                err.println("clprop: error: " + ex.getMessage());
                return EXIT_USAGE;
            }
            err.println("clprop: internal error: " + ex.getClass().getSimpleName() + ": " + oneLine(ex.getMessage())
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
}
