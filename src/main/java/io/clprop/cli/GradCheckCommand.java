package io.clprop.cli;

import io.clprop.backend.MemoryLimits;
import io.clprop.backend.opencl.OpenClBackend;
import io.clprop.backend.Activation;
import io.clprop.nn.LayerSpec;
import io.clprop.nn.LossKind;
import io.clprop.nn.LayerList;
import io.clprop.nn.NetworkSpec;
import io.clprop.util.ImageShape;
import io.clprop.util.UserError;
import io.clprop.verify.Comparison;
import io.clprop.verify.GradCheck;
import io.clprop.verify.GradCheck.TensorCheck;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * `clprop gradcheck`: the CPU path's gradients (double) against central finite differences, and the
 * device's (float) against the same differences; worst error per parameter tensor, exit 3 above threshold.
 */
@Command(name = "gradcheck", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Compare backpropagated gradients with finite differences, on the CPU path and a device.")
final class GradCheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--hidden", split = ",", paramLabel = "N,N,…", description = "Hidden widths (default: 8,6).")
    int[] hidden = {8, 6};

    @Option(names = "--activation", split = ",", paramLabel = "F[,F…]", converter = Converters.ActivationConverter.class,
            description = "Hidden activation(s): relu, sigmoid, tanh, leaky-relu, elu or softplus (default: relu).")
    List<Activation> activation = List.of(Activation.RELU);

    @Option(names = "--loss", converter = Converters.LossConverter.class, description = "softmax-ce or mse (default: softmax-ce).")
    LossKind loss = LossKind.SOFTMAX_CE;

    @Option(names = "--inputs", description = "Input width (default: ${DEFAULT-VALUE}).")
    int inputs = 7;

    @Option(names = "--outputs", description = "Output width (default: ${DEFAULT-VALUE}).")
    int outputs = 5;

    @Option(names = "--layers", paramLabel = "LAYER,…", description = "A network in train's --layers notation instead of "
            + "--hidden/--activation (its last item dense:<--outputs>), over images of --input-shape; feed max-pools "
            + "a smooth activation (tanh, sigmoid): ReLU's zeros tie, and a tie is a kink the differences straddle.")
    String layers;

    @Option(names = "--input-shape", paramLabel = "C×H×W", description = "The images --layers reads (default: 2x7x6).")
    String inputShape;

    @Option(names = "--rows", description = "Batch rows (default: ${DEFAULT-VALUE}).")
    int rows = 4;

    @Option(names = "--seed", description = "Seed for parameters and batch (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @picocli.CommandLine.Mixin
    DeviceOption device = new DeviceOption();

    @picocli.CommandLine.Mixin
    BuildOptions buildOptions = new BuildOptions();

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        NetworkSpec net = network();
        if (net.parameterCount() > 20_000) {
            throw new UserError("gradcheck evaluates the loss twice per parameter; " + net.parameterCount()
                    + " parameters is too many (use a smaller --hidden or --inputs)");
        }
        // The batch and every layer's rows × units live in arrays on the CPU path (the device's limit is higher).
        int widest = net.inputs();
        for (LayerSpec l : net.layers()) {
            widest = Math.max(widest, l.units());
        }
        MemoryLimits.Kind.JAVA_HEAP.checkElements("--rows " + rows + " rows of " + widest + " values", (long) rows * widest,
                false);
        GradCheck.Verdict verdict;
        String deviceName = "cpu only";
        if (device.isCpu()) {
            verdict = GradCheck.check(net, rows, seed, null);
        } else {
            try (OpenClBackend b = device.openCl(null, buildOptions.parse())) {
                deviceName = b.description();
                verdict = GradCheck.check(net, rows, seed, b);
            }
        }
        out.println("network " + net.describe() + ", " + net.parameterCount() + " parameters, " + rows + " rows, seed " + seed);
        out.println("device  " + deviceName);
        out.printf("%-7s %6s  %-22s %-22s%n", "tensor", "size", "cpu(double) vs FD",
                verdict.onDevice() ? "device(float) vs FD" : "");
        for (TensorCheck t : verdict.tensors()) {
            out.printf("%-7s %6d  %-22s %-22s%n", t.tensor(), t.size(), cell(t.cpu()),
                    t.device() == null ? "" : cell(t.device()));
        }
        out.printf("thresholds: cpu(double) %.0e per element (|a−n|/max(|a|,|n|,1e-3), h = %.0e)", GradCheck.THRESHOLD,
                GradCheck.STEP);
        if (verdict.onDevice()) {
            out.printf("; device %.2e per tensor (max|a−n|/max|n|, 8·L·(K+2)·u)", verdict.deviceTolerance());
        }
        out.println();
        StringBuilder failed = new StringBuilder();
        verdict.failures().forEach(f -> failed.append(" ").append(f));
        out.println(verdict.passed() ? "gradcheck passed" : "gradcheck FAILED:" + failed);
        return verdict.passed() ? 0 : Main.EXIT_CHECK_FAILED;
    }

    private static String cell(Comparison c) {
        return String.format("%.3e %s", c.maxRel(), c.passed() ? "ok" : "FAIL");
    }

    private NetworkSpec network() {
        if (rows < 1 || inputs < 1 || outputs < 2) {
            throw new UserError("--rows and --inputs must be ≥ 1 and --outputs ≥ 2");
        }
        for (int h : hidden) {
            if (h < 1) {
                throw new UserError("--hidden: layer widths must be positive, got " + h);
            }
        }
        try {
            if (layers != null) {
                for (String mlpOnly : new String[]{"--hidden", "--activation", "--inputs"}) {
                    if (spec.commandLine().getParseResult().hasMatchedOption(mlpOnly)) {
                        throw new UserError("--layers describes the whole network; leave out " + mlpOnly);
                    }
                }
                ImageShape shape = ImageShape.parse(inputShape != null ? inputShape : "2x7x6");
                return LayerList.parse(layers).toSpec(shape.size(), Optional.of(shape), outputs, loss);
            }
            if (inputShape != null) {
                throw new UserError("--input-shape is the shape of the images --layers reads; give --layers too");
            }
            return NetworkSpec.mlp(inputs, hidden, activation, outputs, loss);
        } catch (IllegalArgumentException e) {
            throw UserError.of(e);
        }
    }
}
