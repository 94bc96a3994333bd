package io.clprop.model.safetensors;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.clprop.data.FeatureFill;
import io.clprop.data.Standardizer;
import io.clprop.model.ModelFile;
import io.clprop.model.NetworkHeader;
import io.clprop.nn.LayerList;
import io.clprop.nn.NetworkSpec;
import io.clprop.util.BoundedJson;
import io.clprop.util.Excerpt;
import io.clprop.util.UserError;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What clprop writes into a safetensors file's {@code __metadata__} besides the tensors, every value a string
 * (the format allows no other), the lists and objects as JSON text:
 * <pre>
 *   "format":               "pt"     (what safetensors.torch.save_file writes; some loaders look for it)
 *   "clprop.sequential":    "torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), …)"
 *   "clprop.layers":        "dense:128,relu,dense:10"          (the layers setting's notation)
 *   "clprop.network":       "{\"inputs\":784,\"layers\":[…],\"loss\":\"softmax-ce\"}"   (the model file's network)
 *   "clprop.loss":          "softmax-ce"
 *   "clprop.classes":       "[\"T-shirt\",…]"                   (when the model has class names)
 *   "clprop.features":      "[\"sepal_length\",…]"              (when it has feature names)
 *   "clprop.standardize":   "{\"mean\":[…],\"std\":[…]}"        (when its inputs are standardised)
 *   "clprop.missing":       "mean" | "zero", with "clprop.fill": "[…]"   (when missing cells are filled)
 * </pre>
 * Floats are written as Java's shortest decimal that reads back to the same float. Reading these back is
 * optional for a file ({@link #read}): one without "clprop.network" (PyTorch's) is weights only.
 */
public final class ClpropMetadata {
    public static final String FORMAT = "format";
    public static final String SEQUENTIAL = "clprop.sequential";
    public static final String LAYERS = "clprop.layers";
    public static final String NETWORK = "clprop.network";
    public static final String LOSS = "clprop.loss";
    public static final String CLASSES = "clprop.classes";
    public static final String FEATURES = "clprop.features";
    public static final String STANDARDIZE = "clprop.standardize";
    public static final String MISSING = "clprop.missing";
    public static final String FILL = "clprop.fill";

    /**
     * A clprop model as its metadata describes it, the parameters aside.
     *
     * @param standardizer null when none
     * @param fill         null when missing cells are refused
     */
    public record Described(NetworkSpec spec, List<String> classNames, List<String> featureNames,
                            Standardizer standardizer, FeatureFill fill) {
    }

    private ClpropMetadata() {
    }

    /** The metadata of {@code model}, in the order listed above. */
    public static Map<String, String> of(ModelFile model) {
        NetworkSpec spec = model.spec();
        Map<String, String> m = new LinkedHashMap<>();
        m.put(FORMAT, "pt");
        m.put(SEQUENTIAL, TorchSequential.of(spec).python());
        m.put(LAYERS, LayerList.of(spec).describe());
        m.put(NETWORK, NetworkHeader.toJson(spec).toString());
        m.put(LOSS, spec.loss().specName);
        if (!model.classNames().isEmpty()) {
            m.put(CLASSES, strings(model.classNames()).toString());
        }
        if (!model.featureNames().isEmpty()) {
            m.put(FEATURES, strings(model.featureNames()).toString());
        }
        if (model.standardizer() != null) {
            JsonObject s = new JsonObject();
            s.add("mean", floats(model.standardizer().mean()));
            s.add("std", floats(model.standardizer().std()));
            m.put(STANDARDIZE, s.toString());
        }
        if (model.fill() != null) {
            m.put(MISSING, model.fill().policy().specName());
            m.put(FILL, floats(model.fill().values()).toString());
        }
        return m;
    }

    private static JsonArray strings(List<String> names) {
        JsonArray a = new JsonArray();
        names.forEach(a::add);
        return a;
    }

    private static JsonArray floats(float[] values) {
        JsonArray a = new JsonArray();
        for (float v : values) {
            a.add(v); // a Float: Gson writes Float.toString, which reads back to the same float
        }
        return a;
    }

    // ---- reading --------------------------------------------------------------------------------------

    /** The model {@code metadata} describes; null when it holds no {@value #NETWORK} (a file not clprop's). */
    public static Described read(Path file, Map<String, String> metadata) {
        String network = metadata.get(NETWORK);
        if (network == null) {
            return null;
        }
        Reader r = new Reader(file);
        NetworkSpec spec = NetworkHeader.read(file, r.object(NETWORK, network), NetworkHeader.VERSION_2);
        List<String> classes = r.names(metadata, CLASSES, spec.outputs(), "outputs");
        List<String> features = r.names(metadata, FEATURES, spec.inputs(), "inputs");
        Standardizer standardizer = null;
        if (metadata.containsKey(STANDARDIZE)) {
            JsonObject s = r.object(STANDARDIZE, metadata.get(STANDARDIZE));
            if (!s.keySet().equals(Set.of("mean", "std"))) {
                throw r.error(STANDARDIZE + " must be an object {\"mean\": […], \"std\": […]}");
            }
            float[] mean = r.floats(STANDARDIZE + ".mean", s.get("mean"), spec.inputs());
            float[] std = r.floats(STANDARDIZE + ".std", s.get("std"), spec.inputs());
            try {
                standardizer = new Standardizer(mean, std);
            } catch (IllegalArgumentException e) {
                throw r.error(STANDARDIZE + ": " + e.getMessage());
            }
        }
        FeatureFill fill = null;
        String missing = metadata.get(MISSING);
        if ((missing == null) != (metadata.get(FILL) == null)) {
            throw r.error(MISSING + " and " + FILL + " come together; the file has only "
                    + (missing == null ? FILL : MISSING));
        }
        if (missing != null) {
            float[] values = r.floats(FILL, r.array(FILL, metadata.get(FILL)), spec.inputs());
            try {
                fill = new FeatureFill(FeatureFill.Policy.parse(Excerpt.of(missing)), values);
            } catch (IllegalArgumentException e) {
                throw r.error(MISSING + ": " + e.getMessage());
            }
        }
        return new Described(spec, classes, features, standardizer, fill);
    }

    /** Messages and parsing for one file's metadata. */
    private record Reader(Path file) {
        UserError error(String problem) {
            return new UserError(file + ": metadata " + problem);
        }

        JsonObject object(String key, String text) {
            try {
                return BoundedJson.parseObject(text, SafetensorsFile.LIMITS);
            } catch (BoundedJson.Malformed e) {
                throw error(key + ": malformed JSON: " + e.getMessage());
            }
        }

        /**
         * The JSON array {@code text}: parsed as the one value of an object, since {@link BoundedJson} reads
         * objects, and refused unless the object holds that one array (text that closes the array and adds
         * keys of its own makes more).
         */
        JsonElement array(String key, String text) {
            JsonObject wrapped = object(key, "{\"v\":" + text + "}");
            if (wrapped.size() != 1 || !wrapped.get("v").isJsonArray()) {
                throw error(key + " must be one JSON array");
            }
            return wrapped.get("v");
        }

        /** An optional array of distinct, non-empty names, {@code count} of them. */
        List<String> names(Map<String, String> metadata, String key, int count, String what) {
            String text = metadata.get(key);
            if (text == null) {
                return List.of();
            }
            JsonElement v = array(key, text);
            List<String> names = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            for (JsonElement e : v.getAsJsonArray()) {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString() || e.getAsString().isEmpty()) {
                    throw error(key + " must be a JSON array of non-empty names");
                }
                if (!seen.add(e.getAsString())) {
                    throw error(key + ": the name " + Excerpt.quoted(e.getAsString()) + " appears twice");
                }
                names.add(e.getAsString());
            }
            if (names.size() != count) {
                throw error(key + " holds " + names.size() + " names for a network of " + count + " " + what);
            }
            return names;
        }

        /** {@code count} finite floats, each read as written. */
        float[] floats(String key, JsonElement v, int count) {
            if (v == null || !v.isJsonArray() || v.getAsJsonArray().size() != count) {
                throw error(key + " must be an array of " + count + " numbers, one per input");
            }
            float[] out = new float[count];
            for (int i = 0; i < count; i++) {
                JsonElement e = v.getAsJsonArray().get(i);
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
                    throw error(key + "[" + i + "] is not a number");
                }
                // From the text: parsing it as a double first could round twice.
                out[i] = Float.parseFloat(e.getAsString());
                if (!Float.isFinite(out[i])) {
                    throw error(key + "[" + i + "] " + Excerpt.of(e.getAsString()) + " is beyond a float's range");
                }
            }
            return out;
        }
    }
}
