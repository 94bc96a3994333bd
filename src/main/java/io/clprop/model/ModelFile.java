package io.clprop.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.clprop.backend.Backend;
import io.clprop.data.FeatureFill;
import io.clprop.data.Standardizer;
import io.clprop.nn.Network;
import io.clprop.nn.NetworkSpec;
import io.clprop.util.Excerpt;
import io.clprop.util.UserError;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * A trained network as a file: a {@link ClpropFile} with magic "CLPROPMF", format version 2 (version 1 is
 * still read), whose header holds
 *
 * <pre>
 *   "network": {"inputs": 784, "input_shape": [1, 28, 28], "layers": [{"type": "conv", …}, …],
 *               "loss": "softmax-ce"}      (see {@link NetworkHeader})
 *   "features": ["sepal_length", …]     (optional: the input columns' names, input order)
 *   "classes": ["cat", "dog", …]          (optional: class names, index order)
 *   "standardized": true | false           (whether the feature_mean/feature_std sections are present)
 *   "missing": "error" | "mean" | "zero"   (optional, "error" when absent: how missing CSV cells are filled;
 *                                            the feature_fill section is present unless "error")
 *   "trained": {…}                          (free-form provenance: configuration, epochs, accuracy)
 * </pre>
 *
 * and whose sections are "parameters" (f32, the network's buffer, each layer's weights then its bias: a dense
 * layer's W out × in row-major, a convolution's W C_out × C_in·k·k (PyTorch's Conv2d weight flattened); a
 * max-pool has none), when the inputs are standardised, "feature_mean" and "feature_std" (f32, one per input), and
 * when missing cells are filled, "feature_fill" (f32, one per input, in the original units: filling comes
 * before standardisation).
 *
 * @param standardizer null when features are used as they are
 * @param classNames   empty when classes are the indices 0..outputs−1
 * @param featureNames the names of the inputs, in input order (a CSV training set's header), so that data can
 *                     be matched to them by name; empty when inputs are known only by position (IDX data, a
 *                     CSV file without a header, a model file written before names were stored)
 * @param fill         the values missing CSV cells are filled with; null when they are refused (missing
 *                     error, and model files written before fills were stored)
 * @param trained      provenance (NaN and infinities in it are stored as null)
 */
public record ModelFile(NetworkSpec spec, float[] parameters, Standardizer standardizer, List<String> classNames,
                        List<String> featureNames, FeatureFill fill, JsonObject trained) {
    public static final String MAGIC = "CLPROPMF";
    /** The version written: 2, whose network lists typed layers (convolutions, max-pools, flattens, dense). */
    public static final int VERSION = NetworkHeader.VERSION_2;
    /** The versions read: 1 (dense layers only, as clprop wrote them before convolutions) and 2. */
    public static final Set<Integer> VERSIONS = Set.of(NetworkHeader.VERSION_1, NetworkHeader.VERSION_2);
    static final String WHAT = "model";

    public ModelFile {
        if (parameters.length != spec.parameterCount()) {
            throw new IllegalArgumentException(parameters.length + " parameters for a network of "
                    + spec.parameterCount());
        }
        if (standardizer != null && standardizer.featureCount() != spec.inputs()) {
            throw new IllegalArgumentException("standardiser for " + standardizer.featureCount()
                    + " features, network takes " + spec.inputs());
        }
        classNames = List.copyOf(classNames);
        if (!classNames.isEmpty() && classNames.size() != spec.outputs()) {
            throw new IllegalArgumentException(classNames.size() + " class names for " + spec.outputs() + " outputs");
        }
        if (new HashSet<>(classNames).size() != classNames.size()) {
            throw new IllegalArgumentException("class names repeat: " + classNames);
        }
        featureNames = List.copyOf(featureNames);
        if (!featureNames.isEmpty() && featureNames.size() != spec.inputs()) {
            throw new IllegalArgumentException(featureNames.size() + " feature names for " + spec.inputs() + " inputs");
        }
        if (new HashSet<>(featureNames).size() != featureNames.size() || featureNames.contains("")) {
            throw new IllegalArgumentException("feature names must be distinct and non-empty: " + featureNames);
        }
        if (fill != null && fill.featureCount() != spec.inputs()) {
            throw new IllegalArgumentException("fill values for " + fill.featureCount() + " features, network takes "
                    + spec.inputs());
        }
        parameters = parameters.clone();
        trained = trained == null ? new JsonObject() : finiteOrNull(trained).getAsJsonObject();
    }

    /** A model whose missing cells are refused (no fill values). */
    public ModelFile(NetworkSpec spec, float[] parameters, Standardizer standardizer, List<String> classNames,
                     List<String> featureNames, JsonObject trained) {
        this(spec, parameters, standardizer, classNames, featureNames, null, trained);
    }

    /** A model whose inputs are known only by position (no feature names). */
    public ModelFile(NetworkSpec spec, float[] parameters, Standardizer standardizer, List<String> classNames,
                     JsonObject trained) {
        this(spec, parameters, standardizer, classNames, List.of(), null, trained);
    }

    /**
     * A copy with NaN and infinities replaced by null: JSON has no such numbers, and a run whose loss diverged
     * must still be savable with its provenance.
     */
    private static JsonElement finiteOrNull(JsonElement e) {
        if (e.isJsonObject()) {
            JsonObject o = new JsonObject();
            e.getAsJsonObject().entrySet().forEach(kv -> o.add(kv.getKey(), finiteOrNull(kv.getValue())));
            return o;
        }
        if (e.isJsonArray()) {
            JsonArray a = new JsonArray();
            e.getAsJsonArray().forEach(x -> a.add(finiteOrNull(x)));
            return a;
        }
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            Number n = e.getAsNumber();
            if ((n instanceof Double || n instanceof Float) && !Double.isFinite(n.doubleValue())) {
                return com.google.gson.JsonNull.INSTANCE;
            }
        }
        return e.deepCopy();
    }

    @Override
    public float[] parameters() {
        return parameters.clone();
    }

    @Override
    public JsonObject trained() {
        return trained.deepCopy();
    }

    /** The name of class k: its name when the model has names, else the index. */
    public String className(int k) {
        return classNames.isEmpty() ? Integer.toString(k) : classNames.get(k);
    }

    /** A network on {@code backend} holding these parameters, for batches of up to {@code maxRows} rows. */
    public Network toNetwork(Backend backend, int maxRows) {
        Network n = new Network(backend, spec, maxRows);
        try {
            n.setParameters(parameters);
        } catch (RuntimeException e) {
            n.close();
            throw e;
        }
        return n;
    }

    // ---- writing --------------------------------------------------------------------------------------

    public ClpropFile toContainer() {
        JsonObject h = new JsonObject();
        h.add("network", NetworkHeader.toJson(spec));
        if (!featureNames.isEmpty()) {
            JsonArray features = new JsonArray();
            featureNames.forEach(features::add);
            h.add("features", features);
        }
        if (!classNames.isEmpty()) {
            JsonArray names = new JsonArray();
            classNames.forEach(names::add);
            h.add("classes", names);
        }
        h.addProperty("standardized", standardizer != null);
        h.addProperty("missing", fill == null ? FeatureFill.Policy.ERROR.specName() : fill.policy().specName());
        h.add("trained", trained.deepCopy());
        LinkedHashMap<String, float[]> f32 = new LinkedHashMap<>();
        f32.put("parameters", parameters);
        if (standardizer != null) {
            f32.put("feature_mean", standardizer.mean());
            f32.put("feature_std", standardizer.std());
        }
        if (fill != null) {
            f32.put("feature_fill", fill.values());
        }
        return new ClpropFile(MAGIC, VERSION, h, f32, new LinkedHashMap<>());
    }

    /** Writes the model atomically. */
    public void write(Path file) {
        toContainer().write(file);
    }

    // ---- reading --------------------------------------------------------------------------------------

    public static ModelFile read(Path file) {
        return fromContainer(file, container(file));
    }

    /**
     * The container of a model file at any version this clprop reads, checked (magic, version, checksum) but
     * its header not yet decoded: for a tool that inspects the header as written.
     */
    public static ClpropFile container(Path file) {
        return ClpropFile.read(file, MAGIC, VERSIONS, WHAT);
    }

    /** Decodes a container already read and checked; {@code file} names it in messages. */
    static ModelFile fromContainer(Path file, ClpropFile c) {
        Errors err = new Errors(file);
        JsonObject h = c.header();
        NetworkSpec spec = NetworkHeader.read(file, object(err, h, "network"), c.version());
        int inputs = spec.inputs();
        float[] params = c.f32("parameters");
        if (params == null) {
            throw err.of("no \"parameters\" section of type f32");
        }
        if (params.length != spec.parameterCount()) {
            throw err.of("the network " + NetworkHeader.describe(spec) + " has " + spec.parameterCount()
                    + " parameters but the \"parameters\" section holds " + params.length);
        }
        // clprop never saves a diverged run (training stops before anything is written), so a NaN or infinite
        // weight is damage; used, it would turn every prediction into NaN without a word.
        for (int i = 0; i < params.length; i++) {
            if (!Float.isFinite(params[i])) {
                throw err.of("section \"parameters\": value " + params[i] + " at position " + i + " is not finite");
            }
        }

        List<String> names = new ArrayList<>();
        JsonElement cn = h.get("classes");
        if (cn != null && !cn.isJsonNull()) {
            if (!cn.isJsonArray()) {
                throw err.of("\"classes\" must be an array of names");
            }
            Set<String> seen = new HashSet<>();
            for (JsonElement e : cn.getAsJsonArray()) {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                    throw err.of("\"classes\" must be an array of names");
                }
                if (!seen.add(e.getAsString())) {
                    throw err.of("class name " + Excerpt.quoted(e.getAsString()) + " appears twice");
                }
                names.add(e.getAsString());
            }
            if (names.size() != spec.outputs()) {
                throw err.of(names.size() + " class names for a network with " + spec.outputs() + " outputs");
            }
        }

        List<String> features = featureNames(err, h, inputs);
        Standardizer standardizer = standardizer(err, c, inputs);
        JsonElement std = h.get("standardized");
        if (std != null && std.isJsonPrimitive() && std.getAsJsonPrimitive().isBoolean()
                && std.getAsBoolean() != (standardizer != null)) {
            throw err.of("header says standardized=" + std.getAsBoolean() + " but the feature_mean/feature_std "
                    + "sections are " + (standardizer != null ? "present" : "absent"));
        }
        FeatureFill fill = fill(err, c, h, inputs);
        JsonElement trained = h.get("trained");
        if (trained != null && !trained.isJsonObject()) {
            throw err.of("\"trained\" must be an object");
        }
        return new ModelFile(spec, params, standardizer, names, features, fill,
                trained == null ? null : trained.getAsJsonObject());
    }

    /** The optional "features" array: one distinct, non-empty name per input. */
    private static List<String> featureNames(Errors err, JsonObject h, int inputs) {
        List<String> names = new ArrayList<>();
        JsonElement fn = h.get("features");
        if (fn == null || fn.isJsonNull()) {
            return names;
        }
        if (!fn.isJsonArray()) {
            throw err.of("\"features\" must be an array of names");
        }
        Set<String> seen = new HashSet<>();
        for (JsonElement e : fn.getAsJsonArray()) {
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw err.of("\"features\" must be an array of names");
            }
            String name = e.getAsString();
            if (name.isEmpty()) {
                throw err.of("feature name " + (names.size() + 1) + " is empty");
            }
            if (!seen.add(name)) {
                throw err.of("feature name " + Excerpt.quoted(name) + " appears twice");
            }
            names.add(name);
        }
        if (names.size() != inputs) {
            throw err.of(names.size() + " feature names for a network with " + inputs + " inputs");
        }
        return names;
    }

    private static Standardizer standardizer(Errors err, ClpropFile c, int inputs) {
        float[] mean = c.f32("feature_mean"), std = c.f32("feature_std");
        if (mean == null && std == null) {
            return null;
        }
        if (mean == null || std == null) {
            throw err.of("has " + (mean == null ? "feature_std without feature_mean" : "feature_mean without feature_std"));
        }
        if (mean.length != inputs || std.length != inputs) {
            throw err.of("feature_mean/feature_std hold " + mean.length + "/" + std.length + " values for "
                    + inputs + " inputs");
        }
        try {
            return new Standardizer(mean, std);
        } catch (IllegalArgumentException e) {
            throw err.of("standardisation: " + e.getMessage());
        }
    }

    /**
     * The optional "missing" policy and its "feature_fill" section: both absent (a file from before fills were
     * stored) or "error" without the section means missing cells are refused; "mean" or "zero" needs one
     * finite value per input (zeros for "zero").
     */
    private static FeatureFill fill(Errors err, ClpropFile c, JsonObject h, int inputs) {
        float[] values = c.f32("feature_fill");
        JsonElement m = h.get("missing");
        FeatureFill.Policy policy = FeatureFill.Policy.ERROR;
        if (m != null && !m.isJsonNull()) {
            if (!m.isJsonPrimitive() || !m.getAsJsonPrimitive().isString()) {
                throw err.of("\"missing\" must be \"error\", \"mean\" or \"zero\"");
            }
            try {
                policy = FeatureFill.Policy.parse(asName(m.getAsString()));
            } catch (IllegalArgumentException e) {
                throw err.of("\"missing\": " + e.getMessage());
            }
        }
        if (policy == FeatureFill.Policy.ERROR) {
            if (values != null) {
                throw err.of("has a feature_fill section but the header says missing=" + (m == null ? "(absent)"
                        : "error") + "; a fill needs \"missing\": \"mean\" or \"zero\"");
            }
            return null;
        }
        if (values == null) {
            throw err.of("header says missing=" + policy.specName() + " but there is no feature_fill section");
        }
        if (values.length != inputs) {
            throw err.of("feature_fill holds " + values.length + " values for " + inputs + " inputs");
        }
        try {
            return new FeatureFill(policy, values);
        } catch (IllegalArgumentException e) {
            throw err.of("feature_fill: " + e.getMessage());
        }
    }

    /**
     * A header string to look up among names (activations, losses, policies) whose refusal quotes it: cut
     * short and escaped. Those names are short and plain, so the cut leaves each of them as it is, and a
     * string it changes (too long, or with a line break in it) is no name and would be refused anyway.
     */
    private static String asName(String s) {
        return Excerpt.of(s);
    }

    private record Errors(Path file) {
        UserError of(String problem) {
            return new UserError(file + ": " + problem);
        }
    }

    private static JsonObject object(Errors err, JsonObject o, String key) {
        JsonElement v = o.get(key);
        if (v == null || !v.isJsonObject()) {
            throw err.of("header has no \"" + key + "\" object");
        }
        return v.getAsJsonObject();
    }
}
