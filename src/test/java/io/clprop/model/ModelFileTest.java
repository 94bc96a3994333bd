package io.clprop.model;

import com.google.gson.JsonObject;
import io.clprop.data.FeatureFill;
import io.clprop.data.Standardizer;
import io.clprop.backend.Activation;
import io.clprop.nn.LossKind;
import io.clprop.nn.NetworkSpec;
import io.clprop.util.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Model files: everything written comes back, and headers that do not describe the data are refused. */
class ModelFileTest {
    @TempDir
    Path dir;

    static final List<String> FEATURES = List.of("sepal length", "petal,width", "ünïcode");

    static ModelFile sample(boolean standardized, List<String> names) {
        return sample(standardized, names, List.of());
    }

    static ModelFile sample(boolean standardized, List<String> names, List<String> features) {
        NetworkSpec spec = NetworkSpec.mlp(3, new int[]{5, 4}, new Activation[]{Activation.TANH, Activation.RELU}, 2,
                LossKind.MSE);
        float[] p = new float[Math.toIntExact(spec.parameterCount())];
        for (int k = 0; k < p.length; k++) {
            p[k] = (float) Math.sin(k + 0.5) * 0.7f;
        }
        JsonObject trained = new JsonObject();
        trained.addProperty("epochs", 7);
        trained.addProperty("test_accuracy", 0.9375);
        Standardizer s = standardized ? new Standardizer(new float[]{1, -2, 3.5f}, new float[]{0.5f, 1, 2}) : null;
        return new ModelFile(spec, p, s, names, features, trained);
    }

    @Test
    void roundTripWithStandardizerAndNames() {
        ModelFile m = sample(true, List.of("no", "yes"));
        Path f = dir.resolve("m.clprop");
        m.write(f);
        ModelFile back = ModelFile.read(f);
        assertEquals(m.spec(), back.spec());
        assertEquals("3-5-4-2 tanh/relu/sigmoid mse", back.spec().describe());
        assertArrayEquals(m.parameters(), back.parameters());
        assertEquals(m.standardizer(), back.standardizer());
        assertEquals(List.of("no", "yes"), back.classNames());
        assertEquals("yes", back.className(1));
        assertEquals(m.trained(), back.trained());
        assertTrue(back.featureNames().isEmpty(), "no names given, none stored");
    }

    @Test
    void theNewerActivationsRoundTripUnderTheirCliNames() {
        NetworkSpec spec = NetworkSpec.mlp(3, new int[]{4, 3, 2},
                new Activation[]{Activation.LEAKY_RELU, Activation.ELU, Activation.SOFTPLUS}, 2, LossKind.SOFTMAX_CE);
        float[] p = new float[Math.toIntExact(spec.parameterCount())];
        for (int k = 0; k < p.length; k++) {
            p[k] = (float) Math.cos(k) * 0.5f;
        }
        Path f = dir.resolve("newer.clprop");
        new ModelFile(spec, p, null, List.of(), List.of(), new JsonObject()).write(f);
        List<String> names = ModelFile.container(f).header().getAsJsonObject("network")
                .getAsJsonArray("layers").asList().stream()
                .map(l -> l.getAsJsonObject().get("activation").getAsString()).toList();
        assertEquals(List.of("leaky-relu", "elu", "softplus", "identity"), names);
        ModelFile back = ModelFile.read(f);
        assertEquals(spec, back.spec());
        assertEquals("3-4-3-2-2 leaky-relu/elu/softplus/identity softmax-ce", back.spec().describe());
        assertArrayEquals(p, back.parameters());
    }

    @Test
    void roundTripWithFeatureNames() {
        ModelFile m = sample(true, List.of("no", "yes"), FEATURES);
        Path f = dir.resolve("named.clprop");
        m.write(f);
        ModelFile back = ModelFile.read(f);
        assertEquals(FEATURES, back.featureNames(), "names with spaces, commas and non-ASCII come back in order");
        assertEquals(FEATURES, ModelFile.container(f).header().getAsJsonArray("features")
                .asList().stream().map(com.google.gson.JsonElement::getAsString).toList(), "the header's array");
        assertArrayEquals(m.parameters(), back.parameters());
        assertEquals(m.standardizer(), back.standardizer());
    }

    @Test
    void aModelWithoutFeatureNamesHasNoFeaturesField() {
        Path f = dir.resolve("positional.clprop");
        sample(false, List.of()).write(f);
        assertFalse(ModelFile.container(f).header().has("features"));
        // A file written before the field existed: the same header without it (as above) loads, positional.
        assertTrue(ModelFile.read(f).featureNames().isEmpty());
    }

    @Test
    void featureNamesThatCannotDescribeTheInputsAreRejectedWhenBuilt() {
        ModelFile m = sample(false, List.of());
        for (List<String> bad : List.of(List.of("a", "b"), List.of("a", "b", "a"), List.of("a", "", "c"))) {
            assertThrows(IllegalArgumentException.class,
                    () -> new ModelFile(m.spec(), m.parameters(), null, List.of(), bad, null), bad.toString());
        }
    }

    @Test
    void roundTripWithoutOptionalParts() {
        ModelFile m = sample(false, List.of());
        Path f = dir.resolve("m.clprop");
        m.write(f);
        ModelFile back = ModelFile.read(f);
        assertNull(back.standardizer());
        assertTrue(back.classNames().isEmpty());
        assertEquals("1", back.className(1));
        assertArrayEquals(m.parameters(), back.parameters());
    }

    @Test
    void nonFiniteProvenanceIsStoredAsNull() {
        ModelFile m = sample(false, List.of());
        JsonObject t = m.trained();
        t.addProperty("train_loss", Double.NaN);
        com.google.gson.JsonArray losses = new com.google.gson.JsonArray();
        losses.add(0.5);
        losses.add(Double.POSITIVE_INFINITY);
        t.add("losses", losses);
        Path f = dir.resolve("diverged.clprop");
        new ModelFile(m.spec(), m.parameters(), null, List.of(), t).write(f);
        JsonObject back = ModelFile.read(f).trained();
        assertTrue(back.get("train_loss").isJsonNull());
        assertEquals(0.5, back.getAsJsonArray("losses").get(0).getAsDouble());
        assertTrue(back.getAsJsonArray("losses").get(1).isJsonNull());
        assertEquals(7, back.get("epochs").getAsInt());
    }

    /** Writes sample()'s container with its header or sections changed (checksum correct) and reads it. */
    String errorAfter(Consumer<JsonObject> editHeader, Consumer<LinkedHashMap<String, float[]>> editSections) {
        ClpropFile c = sample(true, List.of("no", "yes"), FEATURES).toContainer();
        JsonObject h = c.header();
        editHeader.accept(h);
        LinkedHashMap<String, float[]> f32 = c.f32Sections();
        editSections.accept(f32);
        Path f = dir.resolve("edited.clprop");
        new ClpropFile(ModelFile.MAGIC, c.version(), h, f32, new LinkedHashMap<>()).write(f);
        UserError e = assertThrows(UserError.class, () -> ModelFile.read(f));
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        return e.getMessage();
    }

    static Consumer<JsonObject> net(Consumer<JsonObject> edit) {
        return h -> edit.accept(h.getAsJsonObject("network"));
    }

    @Test
    void inconsistentModelsAreRefused() {
        Consumer<JsonObject> keep = h -> { };
        Consumer<LinkedHashMap<String, float[]>> same = s -> { };
        int count = Math.toIntExact(sample(false, List.of()).spec().parameterCount());
        assertTrue(errorAfter(keep, s -> s.put("parameters", new float[7])).contains("has " + count
                + " parameters but the \"parameters\" section holds 7"));
        assertTrue(errorAfter(keep, s -> s.remove("parameters")).contains("no \"parameters\" section"));
        assertTrue(errorAfter(net(n -> n.addProperty("inputs", 4)), same).contains("parameters"));
        assertTrue(errorAfter(net(n -> n.addProperty("inputs", -3)), same).contains("network.inputs must be a positive whole number"));
        assertTrue(errorAfter(net(n -> n.addProperty("loss", "hinge")), same).contains("unknown loss 'hinge'"));
        assertTrue(errorAfter(net(n -> n.getAsJsonArray("layers").get(0).getAsJsonObject().addProperty("activation", "swish")), same)
                .contains("network.layers[0]: unknown activation 'swish'"));
        assertTrue(errorAfter(net(n -> n.getAsJsonArray("layers").get(1).getAsJsonObject().addProperty("units", 2_000_000_000)), same)
                .contains("parameters"), "absurd widths are caught without overflowing");
        assertTrue(errorAfter(h -> h.remove("network"), same).contains("no \"network\" object"));
        assertTrue(errorAfter(h -> h.getAsJsonArray("classes").add("maybe"), same).contains("3 class names for a network with 2 outputs"));
        assertTrue(errorAfter(h -> h.getAsJsonArray("classes").set(1, new com.google.gson.JsonPrimitive("no")), same).contains("appears twice"));
        assertTrue(errorAfter(keep, s -> s.remove("feature_std")).contains("feature_mean without feature_std"));
        assertTrue(errorAfter(keep, s -> s.put("feature_std", new float[]{1, 0, 1})).contains("std 0.0 is not a positive number"));
        assertTrue(errorAfter(keep, s -> s.put("feature_mean", new float[]{1, 2})).contains("hold 2/3 values for 3 inputs"));
        assertTrue(errorAfter(h -> h.addProperty("standardized", false), same).contains("standardized=false"));
        for (float bad : new float[]{Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            assertTrue(errorAfter(keep, s -> s.get("parameters")[2] = bad).contains("section \"parameters\": value "
                    + bad + " at position 2 is not finite"), "a damaged weight is refused, not predicted with: " + bad);
        }
    }

    static Consumer<JsonObject> features(Consumer<com.google.gson.JsonArray> edit) {
        return h -> edit.accept(h.getAsJsonArray("features"));
    }

    @Test
    void invalidFeatureNamesAreRefused() {
        Consumer<LinkedHashMap<String, float[]>> same = s -> { };
        assertTrue(errorAfter(features(a -> a.add("extra")), same).endsWith("4 feature names for a network with 3 inputs"));
        assertTrue(errorAfter(features(a -> a.remove(2)), same).endsWith("2 feature names for a network with 3 inputs"));
        assertTrue(errorAfter(features(a -> a.asList().clear()), same)
                .endsWith("0 feature names for a network with 3 inputs"), "an empty array is not a way to say none");
        assertTrue(errorAfter(features(a -> a.set(2, new com.google.gson.JsonPrimitive("sepal length"))), same)
                .endsWith("feature name \"sepal length\" appears twice"));
        assertTrue(errorAfter(features(a -> a.set(1, new com.google.gson.JsonPrimitive(""))), same)
                .endsWith("feature name 2 is empty"));
        assertTrue(errorAfter(features(a -> a.set(0, new com.google.gson.JsonPrimitive(7))), same)
                .endsWith("\"features\" must be an array of names"));
        assertTrue(errorAfter(h -> h.addProperty("features", "sepal length"), same)
                .endsWith("\"features\" must be an array of names"));
    }

    // ---- fill values for missing cells ----------------------------------------------------------------

    static ModelFile withFill(FeatureFill fill) {
        ModelFile m = sample(true, List.of("no", "yes"), FEATURES);
        return new ModelFile(m.spec(), m.parameters(), m.standardizer(), m.classNames(), m.featureNames(), fill,
                m.trained());
    }

    @Test
    void fillValuesRoundTrip() {
        for (FeatureFill fill : List.of(new FeatureFill(FeatureFill.Policy.MEAN, new float[]{1.25f, -3e-7f, 1e30f}),
                new FeatureFill(FeatureFill.Policy.ZERO, new float[3]))) {
            Path f = dir.resolve(fill.policy().specName() + ".clprop");
            withFill(fill).write(f);
            ModelFile back = ModelFile.read(f);
            assertEquals(fill, back.fill());
            ClpropFile c = ModelFile.container(f);
            assertEquals(fill.policy().specName(), c.header().get("missing").getAsString());
            assertArrayEquals(fill.values(), c.f32("feature_fill"));
            assertEquals(withFill(fill).standardizer(), back.standardizer(), "the other sections as they were");
        }
        Path none = dir.resolve("none.clprop");
        sample(true, List.of()).write(none);
        assertNull(ModelFile.read(none).fill());
        ClpropFile c = ModelFile.container(none);
        assertEquals("error", c.header().get("missing").getAsString());
        assertNull(c.f32("feature_fill"));
    }

    @Test
    void aModelFromBeforeFillsLoadsWithoutThem() {
        // A file written before the field existed: no "missing" field and no section (sample's container, edited).
        ClpropFile c = sample(true, List.of("no", "yes"), FEATURES).toContainer();
        JsonObject h = c.header();
        h.remove("missing");
        Path f = dir.resolve("old.clprop");
        new ClpropFile(ModelFile.MAGIC, c.version(), h, c.f32Sections(), new LinkedHashMap<>()).write(f);
        assertNull(ModelFile.read(f).fill());
    }

    /** {@link #errorAfter} for a model with mean fills. */
    String fillErrorAfter(Consumer<JsonObject> editHeader, Consumer<LinkedHashMap<String, float[]>> editSections) {
        ClpropFile c = withFill(new FeatureFill(FeatureFill.Policy.MEAN, new float[]{1, 2, 3})).toContainer();
        JsonObject h = c.header();
        editHeader.accept(h);
        LinkedHashMap<String, float[]> f32 = c.f32Sections();
        editSections.accept(f32);
        Path f = dir.resolve("edited-fill.clprop");
        new ClpropFile(ModelFile.MAGIC, c.version(), h, f32, new LinkedHashMap<>()).write(f);
        UserError e = assertThrows(UserError.class, () -> ModelFile.read(f));
        assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        return e.getMessage();
    }

    @Test
    void invalidFillSectionsAreRefused() {
        Consumer<JsonObject> keep = h -> { };
        Consumer<LinkedHashMap<String, float[]>> same = s -> { };
        assertTrue(fillErrorAfter(keep, s -> s.put("feature_fill", new float[]{1, 2}))
                .endsWith("feature_fill holds 2 values for 3 inputs"));
        assertTrue(fillErrorAfter(keep, s -> s.put("feature_fill", new float[]{1, 2, 3, 4}))
                .endsWith("feature_fill holds 4 values for 3 inputs"));
        assertTrue(fillErrorAfter(keep, s -> s.put("feature_fill", new float[]{1, Float.NaN, 3}))
                .endsWith("feature_fill: feature 1: fill value NaN is not finite"));
        assertTrue(fillErrorAfter(keep, s -> s.put("feature_fill", new float[]{1, 2, Float.NEGATIVE_INFINITY}))
                .contains("is not finite"));
        assertTrue(fillErrorAfter(h -> h.addProperty("missing", "zero"), same)
                .endsWith("feature_fill: feature 0: fill value 1.0 for policy zero"));
        assertTrue(fillErrorAfter(keep, s -> s.remove("feature_fill"))
                .endsWith("header says missing=mean but there is no feature_fill section"));
        assertTrue(fillErrorAfter(h -> h.addProperty("missing", "error"), same).contains("has a feature_fill section but "
                + "the header says missing=error"));
        assertTrue(fillErrorAfter(h -> h.remove("missing"), same).contains("has a feature_fill section but "
                + "the header says missing=(absent)"));
        assertTrue(fillErrorAfter(h -> h.addProperty("missing", "median"), same)
                .contains("\"missing\": unknown missing-value policy 'median'"));
        assertTrue(fillErrorAfter(h -> h.addProperty("missing", 1), same).contains("\"missing\" must be"));
    }

    @Test
    void fillValuesForAnotherWidthAreRejectedWhenBuilt() {
        assertThrows(IllegalArgumentException.class,
                () -> withFill(new FeatureFill(FeatureFill.Policy.ZERO, new float[2])));
    }

    @Test
    void aCheckpointIsNotAModel() {
        ClpropFile c = sample(false, List.of()).toContainer();
        Path f = dir.resolve("ck.clprop");
        new ClpropFile("CLPROPCK", c.header(), c.f32Sections(), new LinkedHashMap<>()).write(f);
        UserError e = assertThrows(UserError.class, () -> ModelFile.read(f));
        assertTrue(e.getMessage().contains("not a clprop model file (starts with \"CLPROPCK\""), e.getMessage());
    }
}
