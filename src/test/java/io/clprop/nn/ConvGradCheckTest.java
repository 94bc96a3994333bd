package io.clprop.nn;

import io.clprop.backend.Activation;
import io.clprop.backend.Tensor;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.verify.Comparison;
import io.clprop.verify.GradCheck;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gradients of convolutional networks, by the CPU path in double, against central differences of its
 * loss (GradCheck's step, threshold and error measure). The networks are small and awkward: 2 channels of
 * 7×6, a prime channel count, padding 1 and 2, stride 2, k = 1, 2, 3 and 5, a max-pool that leaves a row
 * over and one whose windows overlap, a convolution after a pool, and the flatten into dense layers.
 *
 * <p>Max-pool is piecewise linear: where two values of a window tie, the loss has a kink, and a central
 * difference that straddles it averages two slopes. The check therefore feeds the pools the output of
 * smooth, strictly monotonic activations (tanh, sigmoid; not ReLU, whose zeros tie) over random inputs,
 * and each case asserts that every window's two largest values are further apart than the step could move
 * them (100·h), so that no difference crosses a kink and a failure is a wrong gradient. Ties themselves
 * go to the first maximum on every backend; the kernel cross-check compares that rule on integer inputs.
 */
class ConvGradCheckTest {

    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of("conv:3:3:pad1,tanh,maxpool:2,conv:5:2,sigmoid,flatten,dense:4,tanh,dense:3", LossKind.SOFTMAX_CE),
                Arguments.of("conv:3:3:pad1,tanh,maxpool:2,conv:5:2,sigmoid,flatten,dense:4,tanh,dense:3", LossKind.MSE),
                Arguments.of("conv:5:5:stride2:pad2,tanh,maxpool:3:stride2:pad1,flatten,dense:3", LossKind.SOFTMAX_CE),
                Arguments.of("conv:2:1,sigmoid,conv:3:3:stride2,tanh,flatten,dense:3", LossKind.SOFTMAX_CE),
                Arguments.of("maxpool:2:stride1,conv:3:3,tanh,flatten,dense:3", LossKind.MSE));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("networks")
    void convolutionalGradientsMatchFiniteDifferences(String layers, LossKind loss) {
        NetworkSpec spec = LayerList.parse(layers).toSpec(84, java.util.Optional.of(new io.clprop.util.ImageShape(2, 7, 6)),
                3, loss);
        int rows = 3;
        long seed = 5;
        assertTrue(smallestPoolGap(GradCheck.problem(spec, rows, seed)) > 100 * GradCheck.STEP,
                "a max-pool window holds two values too close for the differences");
        List<Comparison> errors = GradCheck.cpuDouble(spec, rows, seed);
        long withParameters = spec.layers().stream().filter(l -> l.parameterCount(0) > 0 || l instanceof DenseSpec).count();
        assertEquals(2 * withParameters, errors.size());
        for (Comparison e : errors) {
            assertTrue(e.passed(), layers + " " + loss + " " + e.where() + ": error " + e.maxRel());
        }
    }

    /** The smallest gap between the largest and second largest value of any max-pool window of the problem. */
    private static double smallestPoolGap(GradCheck.Problem p) {
        NetworkSpec spec = p.spec();
        double smallest = Double.POSITIVE_INFINITY;
        try (CpuBackend cpu = new CpuBackend(); Network net = new Network(cpu, spec, p.rows())) {
            float[] theta = new float[p.theta().length];
            for (int i = 0; i < theta.length; i++) {
                theta[i] = (float) p.theta()[i];
            }
            net.setParameters(theta);
            Tensor x = cpu.allocate(p.rows(), spec.inputs());
            float[] xs = new float[p.x().length];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = (float) p.x()[i];
            }
            cpu.write(x, xs);
            net.forward(x);
            for (int l = 0; l < spec.layers().size(); l++) {
                if (spec.layers().get(l) instanceof MaxPoolSpec pool) {
                    float[] in = l == 0 ? xs : cpu.read(net.layers().get(l - 1).output().values(p.rows()));
                    smallest = Math.min(smallest, gap(pool.geometry(), p.rows(), in));
                }
            }
        }
        return smallest;
    }

    private static double gap(io.clprop.backend.WindowGeometry g, int rows, float[] in) {
        double smallest = Double.POSITIVE_INFINITY;
        for (int b = 0; b < rows; b++) {
            for (int c = 0; c < g.channels(); c++) {
                for (int oh = 0; oh < g.outHeight(); oh++) {
                    for (int ow = 0; ow < g.outWidth(); ow++) {
                        List<Double> v = new ArrayList<>();
                        for (int kh = 0; kh < g.kernel(); kh++) {
                            for (int kw = 0; kw < g.kernel(); kw++) {
                                int h = oh * g.stride() - g.padding() + kh, w = ow * g.stride() - g.padding() + kw;
                                if (h >= 0 && h < g.height() && w >= 0 && w < g.width()) {
                                    v.add((double) in[b * g.imageSize() + (c * g.height() + h) * g.width() + w]);
                                }
                            }
                        }
                        v.sort(null);
                        if (v.size() > 1) {
                            smallest = Math.min(smallest, v.get(v.size() - 1) - v.get(v.size() - 2));
                        }
                    }
                }
            }
        }
        return smallest;
    }
}
