package io.clprop.model.onnx;

import com.google.gson.JsonArray;
import io.clprop.backend.Activation;
import io.clprop.data.FeatureFill;
import io.clprop.data.Standardizer;
import io.clprop.model.ModelFile;
import io.clprop.nn.Conv2dSpec;
import io.clprop.nn.DenseSpec;
import io.clprop.nn.LayerSpec;
import io.clprop.nn.LossKind;
import io.clprop.nn.MaxPoolSpec;
import io.clprop.nn.NetworkSpec;
import io.clprop.util.ImageShape;
import io.clprop.util.UserError;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model as an ONNX file (opset {@value #OPSET}, IR version {@value #IR_VERSION}): the whole of what
 * {@code predict} computes from the samples it has read, in standard operators, so that ONNX Runtime gives
 * the same outputs from the same inputs.
 *
 * <p>The graph's input {@value #INPUT} is a float tensor [N, inputs], or [N, C, H, W] for a network whose
 * first layer reads images (NCHW, as PyTorch exports), N symbolic ({@value #BATCH}): the raw features as
 * {@code predict} holds them after reading its file, i.e. CSV values as written, or IDX pixels scaled to
 * [0, 1] (byte/255), with NaN for a missing cell. In the graph, in predict's order:
 * <ol>
 *   <li>missing cells filled, when the model fills them: {@code Where(IsNaN(x), fill, x)};</li>
 *   <li>standardisation, when the model has it: {@code (x − mean) / std} (a feature constant in training
 *       already has std 1 in the model file, so the division never meets 0);</li>
 *   <li>each layer: dense as {@code Gemm} (transB = 1: clprop's W is out × in, as ONNX's B transposed),
 *       convolution as {@code Conv} (zero padding, the output size rounded down), max-pool as
 *       {@code MaxPool} (padding that never wins, ceil_mode 0: clprop drops leftover rows and columns),
 *       {@code Flatten} (axis 1, NCHW order) before a dense layer that reads images, then the layer's
 *       activation, each of which ONNX has as an operator: Relu, Sigmoid, Tanh, LeakyRelu (alpha
 *       {@value Activation#LEAKY_SLOPE}), Elu (alpha 1), Softplus;</li>
 *   <li>for a softmax-CE model {@code Softmax} (axis −1): class probabilities, as predict prints; an MSE
 *       model ends in its output layer's sigmoid.</li>
 * </ol>
 * Dropout is inverted in clprop (scaled while training), so inference has nothing to undo and the graph has
 * no dropout. The output {@value #OUTPUT} is [N, outputs].
 *
 * <p>metadata_props: {@value #META_CLASSES} (a JSON array of the class names in output order, the indices
 * "0", "1", … when the model has none, as predict's columns), {@value #META_FEATURES} (a JSON array of the
 * input names, empty when inputs are known by position), {@value #META_LOSS} ("softmax-ce" or "mse") and
 * {@value #META_NETWORK} (the network as clprop describes it).
 */
public final class OnnxExport {
    /** The ONNX operator set: every operator used is at its opset-13 version. */
    public static final int OPSET = 13;
    /** IR version 7, that of ONNX 1.8, the release of opset 13. */
    public static final int IR_VERSION = 7;
    public static final String INPUT = "input", OUTPUT = "output", BATCH = "N";
    public static final String PRODUCER = "clprop";
    public static final String META_CLASSES = "classes", META_FEATURES = "features", META_LOSS = "loss",
            META_NETWORK = "network";

    private OnnxExport() {
    }

    /** The ONNX model of {@code model}, its producer version {@code producerVersion} (clprop's). */
    public static byte[] toBytes(ModelFile model, String producerVersion) {
        return toBytes(model, producerVersion, ProtoWriter.MAX_SIZE);
    }

    /**
     * As {@link #toBytes(ModelFile, String)}, refusing a model whose tensors alone would pass {@code limit}
     * bytes (a {@link UserError}: one protobuf message holds at most 2 GiB, and ONNX's external-data files,
     * which would lift that, are not written).
     */
    static byte[] toBytes(ModelFile model, String producerVersion, long limit) {
        NetworkSpec spec = model.spec();
        // Parameters, and at most three preprocessing vectors of one value per input, as float32.
        long tensorBytes = 4 * (spec.parameterCount() + 3L * spec.inputs());
        if (tensorBytes > limit) {
            throw tooLarge(spec, tensorBytes, limit);
        }
        try {
            return graph(model).toModel(IR_VERSION, OPSET, PRODUCER, producerVersion, metadata(model));
        } catch (ProtoWriter.TooLarge e) {
            throw tooLarge(spec, tensorBytes, limit);
        }
    }

    private static UserError tooLarge(NetworkSpec spec, long tensorBytes, long limit) {
        return new UserError("the network " + spec.describe() + " has " + spec.parameterCount() + " parameters ("
                + tensorBytes + " bytes with its preprocessing): more than the " + limit + " bytes one ONNX file "
                + "holds (protobuf's limit; clprop does not write ONNX external-data files)");
    }

    private static Map<String, String> metadata(ModelFile model) {
        JsonArray classes = new JsonArray(), features = new JsonArray();
        for (int k = 0; k < model.spec().outputs(); k++) {
            classes.add(model.className(k));
        }
        model.featureNames().forEach(features::add);
        Map<String, String> m = new LinkedHashMap<>();
        m.put(META_CLASSES, classes.toString());
        m.put(META_FEATURES, features.toString());
        m.put(META_LOSS, model.spec().loss().specName);
        m.put(META_NETWORK, model.spec().describe());
        return m;
    }

    private static OnnxGraph graph(ModelFile model) {
        NetworkSpec spec = model.spec();
        OnnxGraph g = new OnnxGraph(PRODUCER);
        ImageShape image = spec.inputShape().orElse(null);
        long[] sample = image == null ? new long[]{spec.inputs()} : dims(image);
        g.input(INPUT, BATCH, sample);
        String x = preprocess(g, model.fill(), model.standardizer(), sample);

        float[] p = model.parameters();
        List<LayerSpec> layers = spec.layers();
        for (int l = 0; l < layers.size(); l++) {
            LayerSpec layer = layers.get(l);
            String name = "layer" + l;
            if (layer instanceof DenseSpec d) {
                if (image != null) {
                    x = g.node("Flatten", name + ".flatten", List.of(x), name + ".flat").attribute("axis", 1L).output();
                    image = null;
                }
                int in = spec.inputsOf(l);
                String w = g.initializer(name + ".weight", new long[]{d.units(), in}, p, spec.weightOffset(l));
                String b = g.initializer(name + ".bias", new long[]{d.units()}, p, spec.biasOffset(l));
                x = g.node("Gemm", name + ".gemm", List.of(x, w, b), name + ".linear")
                        .attribute("transB", 1L).output();
            } else if (layer instanceof Conv2dSpec c) {
                x = asImage(g, x, image, c.input(), name);
                int k = c.geometry().kernel(), s = c.geometry().stride(), pad = c.geometry().padding();
                String w = g.initializer(name + ".weight", new long[]{c.outChannels(), c.input().channels(), k, k},
                        p, spec.weightOffset(l));
                String b = g.initializer(name + ".bias", new long[]{c.outChannels()}, p, spec.biasOffset(l));
                x = g.node("Conv", name + ".conv", List.of(x, w, b), name + ".conv")
                        .attribute("kernel_shape", k, k).attribute("strides", s, s)
                        .attribute("pads", pad, pad, pad, pad).attribute("dilations", 1, 1)
                        .attribute("group", 1L).output();
                image = c.output();
            } else if (layer instanceof MaxPoolSpec m) {
                x = asImage(g, x, image, m.input(), name);
                int k = m.geometry().kernel(), s = m.geometry().stride(), pad = m.geometry().padding();
                x = g.node("MaxPool", name + ".maxpool", List.of(x), name + ".pooled")
                        .attribute("kernel_shape", k, k).attribute("strides", s, s)
                        .attribute("pads", pad, pad, pad, pad).attribute("ceil_mode", 0L).output();
                image = m.output();
            } else {
                throw new IllegalArgumentException("no ONNX form for layer " + layer.describe());
            }
            boolean last = l == layers.size() - 1;
            x = activation(g, layer.activation(), x, name,
                    last && spec.loss() != LossKind.SOFTMAX_CE ? OUTPUT : name + ".output");
        }
        if (spec.loss() == LossKind.SOFTMAX_CE) {
            x = g.node("Softmax", "softmax", List.of(x), OUTPUT).attribute("axis", -1L).output();
        } else if (!x.equals(OUTPUT)) {
            // An MSE output layer without an activation (only a hand-made file has one): its values as they are.
            x = g.node("Identity", "output", List.of(x), OUTPUT).output();
        }
        g.output(x, BATCH, spec.outputs());
        return g;
    }

    /** The fill of missing values, then the standardisation, as predict applies them; the input when neither. */
    private static String preprocess(OnnxGraph g, FeatureFill fill, Standardizer standardizer, long[] sample) {
        String x = INPUT;
        if (fill != null) {
            String values = g.initializer("fill", sample, fill.values());
            String missing = g.node("IsNaN", "missing", List.of(x), "missing").output();
            x = g.node("Where", "fill", List.of(missing, values, x), "filled").output();
        }
        if (standardizer != null) {
            String mean = g.initializer("mean", sample, standardizer.mean());
            String std = g.initializer("std", sample, standardizer.std());
            x = g.node("Sub", "centre", List.of(x, mean), "centred").output();
            x = g.node("Div", "scale", List.of(x, std), "standardized").output();
        }
        return x;
    }

    /**
     * {@code x} as the images {@code wanted} an image layer reads: as it is when it already is one, else its
     * rows reshaped (a layer reads its input row as C·H·W values, whatever shape the layer before gave them).
     */
    private static String asImage(OnnxGraph g, String x, ImageShape current, ImageShape wanted, String name) {
        if (wanted.equals(current)) {
            return x;
        }
        // 0 keeps the batch dimension as it is, also for an empty batch (where −1 could not be inferred).
        String shape = g.initializer(name + ".shape", new long[]{4},
                new long[]{0, wanted.channels(), wanted.height(), wanted.width()});
        return g.node("Reshape", name + ".reshape", List.of(x, shape), name + ".image").output();
    }

    /** The node applying {@code a} to {@code x}, named {@code output}; {@code x} itself for the identity. */
    private static String activation(OnnxGraph g, Activation a, String x, String name, String output) {
        String node = name + "." + a.specName();
        switch (a) {
            case IDENTITY:
                return x;
            case SIGMOID:
                return g.node("Sigmoid", node, List.of(x), output).output();
            case TANH:
                return g.node("Tanh", node, List.of(x), output).output();
            case RELU:
                return g.node("Relu", node, List.of(x), output).output();
            case LEAKY_RELU:
                return g.node("LeakyRelu", node, List.of(x), output)
                        .attribute("alpha", (float) Activation.LEAKY_SLOPE).output();
            case ELU:
                return g.node("Elu", node, List.of(x), output).attribute("alpha", 1f).output();
            case SOFTPLUS:
                return g.node("Softplus", node, List.of(x), output).output();
            default:
                throw new IllegalArgumentException("no ONNX operator for activation " + a.specName());
        }
    }

    private static long[] dims(ImageShape s) {
        return new long[]{s.channels(), s.height(), s.width()};
    }
}
