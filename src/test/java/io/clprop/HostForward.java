package io.clprop;

import io.clprop.data.Dataset;
import io.clprop.nn.NetworkSpec;

/** A network's outputs computed on the host in double, straight from the parameter layout: the tests' yardstick. */
public final class HostForward {
    private HostForward() {
    }

    /** The output layer's activations for each sample of {@code d}. */
    public static double[][] outputs(NetworkSpec spec, float[] p, Dataset d) {
        return outputs(spec, p, d.features(), d.size());
    }

    public static double[][] outputs(NetworkSpec spec, float[] p, float[] features, int rows) {
        double[][] out = new double[rows][];
        for (int i = 0; i < rows; i++) {
            double[] a = new double[spec.inputs()];
            for (int j = 0; j < a.length; j++) {
                a[j] = features[i * spec.inputs() + j];
            }
            for (int l = 0; l < spec.layers().size(); l++) {
                int in = spec.inputsOf(l), units = spec.layers().get(l).units();
                double[] z = new double[units];
                for (int u = 0; u < units; u++) {
                    double s = p[spec.biasOffset(l) + u];
                    for (int j = 0; j < in; j++) {
                        s += p[spec.weightOffset(l) + u * in + j] * a[j];
                    }
                    z[u] = spec.layers().get(l).activation().apply(s);
                }
                a = z;
            }
            out[i] = a;
        }
        return out;
    }

    public static double[] softmax(double[] z) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double v : z) {
            max = Math.max(max, v);
        }
        double[] p = new double[z.length];
        for (int c = 0; c < z.length; c++) {
            p[c] = Math.exp(z[c] - max);
            sum += p[c];
        }
        for (int c = 0; c < z.length; c++) {
            p[c] /= sum;
        }
        return p;
    }

    public static int argmax(double[] v) {
        int best = 0;
        for (int c = 1; c < v.length; c++) {
            if (v[c] > v[best]) {
                best = c;
            }
        }
        return best;
    }

    public static double maxAbs(double[] v) {
        double m = 0;
        for (double x : v) {
            m = Math.max(m, Math.abs(x));
        }
        return m;
    }
}
