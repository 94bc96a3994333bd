package io.clprop.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.clprop.backend.Activation;
import io.clprop.backend.WindowGeometry;
import io.clprop.nn.Conv2dSpec;
import io.clprop.nn.DenseSpec;
import io.clprop.nn.LayerSpec;
import io.clprop.nn.LossKind;
import io.clprop.nn.MaxPoolSpec;
import io.clprop.nn.Network;
import io.clprop.nn.NetworkBuilder;
import io.clprop.nn.NetworkSpec;
import io.clprop.util.Excerpt;
import io.clprop.util.ImageShape;
import io.clprop.util.JsonNumbers;
import io.clprop.util.UserError;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A model file's "network" object, the architecture as JSON. Version 2, which clprop writes:
 *
 * <pre>
 *   {"inputs": 784, "input_shape": [1, 28, 28],      (input_shape: when the first layer is an image layer)
 *    "layers": [{"type": "conv", "channels": 32, "kernel": 3, "stride": 1, "padding": 1, "activation": "relu"},
 *               {"type": "maxpool", "kernel": 2, "stride": 2, "padding": 0},
 *               {"type": "flatten"},
 *               {"type": "dense", "units": 10, "activation": "identity"}],
 *    "loss": "softmax-ce"}
 * </pre>
 *
 * the layers in the order of the PyTorch {@code Sequential} they match, a flatten where the images become
 * rows. Version 1, still read, knew only dense layers, each {@code {"units": …, "activation": …}}. Public
 * for the safetensors metadata, which holds the same object.
 *
 * <p>Reading trusts nothing: a version-2 object is refused for an unknown or missing key, an unknown layer
 * type, a size out of range, an output layer whose activation is not the loss's (either version), or a
 * chain of layers that does not fit together (rebuilt through {@link NetworkBuilder}, whose refusal is
 * reported at the layer's index), each as a {@link UserError}
 * naming the file and the field; all before anything is allocated for the network.
 */
public final class NetworkHeader {
    public static final int VERSION_1 = 1;
    public static final int VERSION_2 = 2;

    private static final Set<String> NETWORK_KEYS = Set.of("inputs", "input_shape", "layers", "loss");
    private static final Set<String> CONV_KEYS = Set.of("type", "channels", "kernel", "stride", "padding", "activation");
    private static final Set<String> MAXPOOL_KEYS = Set.of("type", "kernel", "stride", "padding");
    private static final Set<String> FLATTEN_KEYS = Set.of("type");
    private static final Set<String> DENSE_KEYS = Set.of("type", "units", "activation");

    /** How the builder's messages start: the call that refused, e.g. "maxPool(2, 2, 0): ". */
    private static final Pattern BUILDER_CALL = Pattern.compile("^[a-zA-Z]+\\([^)]*\\)(: | )?");

    private final Path file;

    private NetworkHeader(Path file) {
        this.file = file;
    }

    // ---- writing --------------------------------------------------------------------------------------

    /** The version-2 object of {@code spec}. */
    public static JsonObject toJson(NetworkSpec spec) {
        JsonObject net = new JsonObject();
        net.addProperty("inputs", spec.inputs());
        ImageShape shape = imageInput(spec.layers().get(0));
        if (shape != null) {
            JsonArray s = new JsonArray();
            s.add(shape.channels());
            s.add(shape.height());
            s.add(shape.width());
            net.add("input_shape", s);
        }
        JsonArray layers = new JsonArray();
        boolean image = shape != null;
        for (LayerSpec l : spec.layers()) {
            JsonObject o = new JsonObject();
            if (l instanceof Conv2dSpec c) {
                o.addProperty("type", "conv");
                o.addProperty("channels", c.outChannels());
                window(o, c.geometry());
                o.addProperty("activation", c.activation().specName());
            } else if (l instanceof MaxPoolSpec p) {
                o.addProperty("type", "maxpool");
                window(o, p.geometry());
            } else {
                if (image) {
                    // Where PyTorch's Sequential has its nn.Flatten: the dense layers read the images' values, NCHW.
                    JsonObject flatten = new JsonObject();
                    flatten.addProperty("type", "flatten");
                    layers.add(flatten);
                }
                o.addProperty("type", "dense");
                o.addProperty("units", l.units());
                o.addProperty("activation", l.activation().specName());
            }
            image = !(l instanceof DenseSpec);
            layers.add(o);
        }
        net.add("layers", layers);
        net.addProperty("loss", spec.loss().specName);
        return net;
    }

    /** The image a network reads when its first layer is an image layer; null when it reads flat rows. */
    private static ImageShape imageInput(LayerSpec first) {
        return first instanceof Conv2dSpec c ? c.input() : first instanceof MaxPoolSpec p ? p.input() : null;
    }

    private static void window(JsonObject o, WindowGeometry g) {
        o.addProperty("kernel", g.kernel());
        o.addProperty("stride", g.stride());
        o.addProperty("padding", g.padding());
    }

    // ---- reading --------------------------------------------------------------------------------------

    /** The network of a model file at {@code version} (1 or 2); {@code file} names it in messages. */
    public static NetworkSpec read(Path file, JsonObject net, int version) {
        NetworkHeader r = new NetworkHeader(file);
        return switch (version) {
            case VERSION_1 -> r.readVersion1(net);
            case VERSION_2 -> r.readVersion2(net);
            default -> throw new IllegalArgumentException("no network object of version " + version);
        };
    }

    /** The network as messages name it: an MLP by its widths ("784-256-10"), any other network described. */
    public static String describe(NetworkSpec spec) {
        return spec.isMlp() ? widths(spec.inputs(), spec.layers()) : spec.describe();
    }

    private static String widths(int inputs, List<LayerSpec> layers) {
        StringBuilder sb = new StringBuilder().append(inputs);
        for (LayerSpec l : layers) {
            sb.append('-').append(l.units());
        }
        return sb.toString();
    }

    /** Version 1: dense layers only, extra keys ignored (as the readers of that version did). */
    private NetworkSpec readVersion1(JsonObject net) {
        int inputs = positiveInt(net.get("inputs"), "network.inputs");
        JsonArray ls = layers(net);
        List<LayerSpec> layers = new ArrayList<>();
        int previous = inputs;
        long parameterCount = 0;
        for (int l = 0; l < ls.size(); l++) {
            String at = "network.layers[" + l + "]";
            JsonObject o = layer(ls, l);
            int units = positiveInt(o.get("units"), at + ".units");
            layers.add(new DenseSpec(units, activation(o, at)));
            try {
                // Exact: a header with a few widths near 2^31 could otherwise wrap to the section's length.
                parameterCount = Math.addExact(parameterCount, ((long) previous + 1) * units);
            } catch (ArithmeticException e) {
                throw error("the network " + widths(inputs, layers) + " has more than 2^63 − 1 parameters");
            }
            previous = units;
        }
        LossKind loss = loss(net);
        checkOutput(ls.size() - 1, layers.get(layers.size() - 1).activation(), loss);
        return new NetworkSpec(inputs, layers, loss);
    }

    /**
     * The output layer must apply what the loss expects before it (identity logits before softmax-CE, sigmoid
     * before MSE): the trainer builds no other, and evaluation and prediction read the outputs as that
     * (softmax of logits, sigmoid values), so any other would give wrong probabilities without a word.
     */
    private void checkOutput(int index, Activation output, LossKind loss) {
        Activation expected = loss.defaultOutputActivation();
        if (output != expected) {
            throw error("network.layers[" + index + "]: the output layer's activation is " + output.specName()
                    + ", but " + loss.specName + " needs " + expected.specName() + " before it ("
                    + otherLossRule(loss) + ")");
        }
    }

    /** The rule of the other loss, so that a message states both: "sigmoid before mse". */
    private static String otherLossRule(LossKind loss) {
        LossKind other = loss == LossKind.MSE ? LossKind.SOFTMAX_CE : LossKind.MSE;
        return other.defaultOutputActivation().specName() + " before " + other.specName;
    }

    /** Version 2: every layer typed, every key known and present, the chain rebuilt and checked. */
    private NetworkSpec readVersion2(JsonObject net) {
        onlyKeys(net, NETWORK_KEYS, "network");
        int inputs = positiveInt(net.get("inputs"), "network.inputs");
        JsonElement shapeJson = net.get("input_shape");
        ImageShape shape = shapeJson == null ? null : inputShape(shapeJson, inputs);
        JsonArray ls = layers(net);
        LossKind loss = loss(net);
        NetworkBuilder b = Network.builder();
        if (shape != null) {
            b.input(shape);
        } else {
            b.input(inputs);
        }
        String type = null;
        Activation last = null;
        for (int l = 0; l < ls.size(); l++) {
            String at = "network.layers[" + l + "]";
            JsonObject o = layer(ls, l);
            type = string(o.get("type"), at + ".type");
            switch (type) {
                case "conv" -> {
                    onlyKeys(o, CONV_KEYS, at);
                    int channels = side(o, "channels", 1, at), kernel = side(o, "kernel", 1, at);
                    int stride = side(o, "stride", 1, at), padding = side(o, "padding", 0, at);
                    Activation a = activation(o, at);
                    chained(at, () -> b.conv(channels, kernel, stride, padding, a));
                }
                case "maxpool" -> {
                    onlyKeys(o, MAXPOOL_KEYS, at);
                    int kernel = side(o, "kernel", 1, at), stride = side(o, "stride", 1, at);
                    int padding = side(o, "padding", 0, at);
                    chained(at, () -> b.maxPool(kernel, stride, padding));
                }
                case "flatten" -> {
                    onlyKeys(o, FLATTEN_KEYS, at);
                    chained(at, b::flatten);
                }
                case "dense" -> {
                    onlyKeys(o, DENSE_KEYS, at);
                    int units = positiveInt(o.get("units"), at + ".units");
                    Activation a = activation(o, at);
                    chained(at, () -> b.dense(units, a));
                    last = a;
                }
                default -> throw error(at + ".type: unknown layer type " + Excerpt.quoted(type)
                        + " (expected conv, maxpool, flatten or dense)");
            }
        }
        if (!type.equals("dense")) {
            throw error("network.layers[" + (ls.size() - 1) + "]: the last layer must be dense (the output layer), not "
                    + type);
        }
        checkOutput(ls.size() - 1, last, loss);
        b.loss(loss);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            // Only the whole network's limits are left to refuse here (more than 2^63 − 1 parameters).
            throw error(withoutCall(e.getMessage()));
        }
    }

    /** [C, H, W], each a side ImageShape allows, holding exactly {@code inputs} values. */
    private ImageShape inputShape(JsonElement s, int inputs) {
        if (!s.isJsonArray() || s.getAsJsonArray().size() != 3) {
            throw error("network.input_shape must be an array [channels, height, width]");
        }
        int[] v = new int[3];
        for (int i = 0; i < 3; i++) {
            v[i] = JsonNumbers.wholeInt(s.getAsJsonArray().get(i), 1, ImageShape.MAX_SIDE, "network.input_shape[" + i + "]",
                    this::error);
        }
        long size = (long) v[0] * v[1] * v[2];
        if (size != inputs) {
            throw error("network.input_shape " + v[0] + "×" + v[1] + "×" + v[2] + " holds " + size
                    + " values, but network.inputs is " + inputs);
        }
        return new ImageShape(v[0], v[1], v[2]);
    }

    /** One step of the builder; its refusal (a layer that does not fit the one before) at the layer's index. */
    private void chained(String at, Runnable step) {
        try {
            step.run();
        } catch (IllegalArgumentException e) {
            throw error(at + ": " + withoutCall(e.getMessage()));
        }
    }

    /**
     * A builder message without its call ("conv(…): ", "dense(…) after …"), which the layer's index replaces,
     * in a file's words.
     */
    private static String withoutCall(String message) {
        return BUILDER_CALL.matcher(message).replaceFirst("")
                .replace("call flatten() first", "a flatten layer must come before it")
                .replace("give input(channels, height, width)", "give network.input_shape")
                .replace(" (after flatten() or a dense layer)", " (after a flatten or a dense layer)");
    }

    private JsonArray layers(JsonObject net) {
        JsonElement ls = net.get("layers");
        if (ls == null || !ls.isJsonArray() || ls.getAsJsonArray().isEmpty()) {
            throw error("network.layers must be a non-empty array");
        }
        return ls.getAsJsonArray();
    }

    private JsonObject layer(JsonArray ls, int l) {
        JsonElement el = ls.get(l);
        if (!el.isJsonObject()) {
            throw error("network.layers[" + l + "] is not an object");
        }
        return el.getAsJsonObject();
    }

    private void onlyKeys(JsonObject o, Set<String> allowed, String at) {
        for (String key : o.keySet()) {
            if (!allowed.contains(key)) {
                throw error(at + ": unknown key " + Excerpt.quoted(key) + " (expected "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    /** A window's channels, kernel, stride or padding: from {@code min} to {@link ImageShape#MAX_SIDE}. */
    private int side(JsonObject o, String key, int min, String at) {
        return JsonNumbers.wholeInt(o.get(key), min, ImageShape.MAX_SIDE, at + "." + key, this::error);
    }

    private int positiveInt(JsonElement v, String what) {
        return JsonNumbers.wholeInt(v, 1, Integer.MAX_VALUE, what, this::error);
    }

    private Activation activation(JsonObject o, String at) {
        String act = string(o.get("activation"), at + ".activation");
        try {
            // Cut short and escaped before the lookup, whose refusal quotes it (see ModelFile's names).
            return Activation.parse(Excerpt.of(act));
        } catch (IllegalArgumentException e) {
            throw error(at + ": " + e.getMessage());
        }
    }

    private LossKind loss(JsonObject net) {
        try {
            return LossKind.parse(Excerpt.of(string(net.get("loss"), "network.loss")));
        } catch (IllegalArgumentException e) {
            throw error("network.loss: " + e.getMessage());
        }
    }

    private String string(JsonElement v, String what) {
        if (v == null) {
            throw error(what + " is missing");
        }
        if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
            throw error(what + " must be a string");
        }
        return v.getAsString();
    }

    private UserError error(String problem) {
        return new UserError(file + ": " + problem);
    }
}
