package io.clprop.fuzz;

import com.google.gson.JsonObject;
import io.clprop.backend.Backend;
import io.clprop.backend.cpu.CpuBackend;
import io.clprop.data.FeatureFill;
import io.clprop.data.Standardizer;
import io.clprop.model.ModelFile;
import io.clprop.model.Predictor;
import io.clprop.backend.Activation;
import io.clprop.nn.LossKind;
import io.clprop.nn.Network;
import io.clprop.nn.NetworkSpec;
import io.clprop.train.ConfigJson;
import io.clprop.train.TrainConfig;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.GenerationMode;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * {@link ModelFile#read} on damaged model files: each outcome is a model or a one-line {@link
 * io.clprop.util.UserError}, never another exception. A model that reads must also predict (CPU path) and
 * hold finite weights: a saved model never has NaN weights (a run whose weights turn NaN stops before
 * saving), so a reader that passes them hands the user silently wrong predictions.
 */
@AddLifecycleHook(FuzzSettings.class)
class ModelFileFuzzTest {
    /** Valid models, each covering other parts of the format. */
    static List<byte[]> bases;
    static Path dir;

    @BeforeContainer
    static void validModels() throws IOException {
        dir = Files.createTempDirectory("clprop-fuzz-model");
        Random r = new Random(1);
        // A CSV model: names, standardisation, fill values, provenance.
        NetworkSpec csv = NetworkSpec.mlp(4, new int[]{5}, Activation.RELU, 3, LossKind.SOFTMAX_CE);
        TrainConfig config = TrainConfig.builder().hidden(5).epochs(1).build();
        JsonObject trained = new JsonObject();
        trained.add("config", ConfigJson.toJson(config));
        trained.addProperty("epochs", 1);
        trained.addProperty("test_accuracy", 0.75);
        trained.addProperty("device", "cpu");
        ModelFile a = new ModelFile(csv, weights(r, Math.toIntExact(csv.parameterCount())),
                new Standardizer(new float[]{1, -2, 0.5f, 3}, new float[]{0.5f, 2, 1, 0.25f}),
                List.of("setosa", "versicolor", "virginica"), List.of("sepal_length", "sepal_width", "petal", "x"),
                new FeatureFill(FeatureFill.Policy.MEAN, new float[]{0.1f, 0.2f, 0.3f, 0.4f}), trained);
        // An IDX-like model: positions only, no standardisation, two hidden layers, MSE.
        NetworkSpec idx = NetworkSpec.mlp(6, new int[]{3, 2}, new Activation[]{Activation.TANH, Activation.SIGMOID},
                4, LossKind.MSE);
        ModelFile b = new ModelFile(idx, weights(r, Math.toIntExact(idx.parameterCount())), null, List.of(), new JsonObject());
        bases = List.of(a.toContainer().toBytes(), b.toContainer().toBytes());
        for (byte[] base : bases) {
            Path p = dir.resolve("base.clprop");
            Files.write(p, base);
            ModelFile.read(p); // the bases themselves must read, or every case below proves nothing
        }
    }

    @AfterContainer
    static void cleanUp() throws IOException {
        FuzzFiles.deleteTree(dir);
    }

    private static float[] weights(Random r, int n) {
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) r.nextGaussian() * 0.3f;
        }
        return w;
    }

    /** A base model and blind byte damage, the CRC-32 then recomputed or not. */
    record ByteDamage(int base, List<ByteMutation> mutations, boolean fixCrc) {
        @Override
        public String toString() {
            return "model #" + base + ", " + mutations + (fixCrc ? ", CRC-32 recomputed" : ", CRC-32 as it is");
        }
    }

    /** A base model, section edits then header edits, the CRC-32 recomputed. */
    record Edits(int base, List<ContainerEdit> sectionEdits, List<ContainerEdit> headerEdits) {
        @Override
        public String toString() {
            return "model #" + base + ", sections " + sectionEdits + ", header " + headerEdits;
        }
    }

    @Provide
    Arbitrary<ByteDamage> byteDamage() {
        return Arbitraries.integers().between(0, bases.size() - 1).flatMap(b -> Combinators.combine(
                ByteMutation.some(bases.get(b).length, 4), Arbitraries.of(true, false))
                .as((m, fix) -> new ByteDamage(b, m, fix)));
    }

    @Provide
    Arbitrary<Edits> edits() {
        return Combinators.combine(Arbitraries.integers().between(0, bases.size() - 1),
                        ContainerEdit.sectionEdit().list().ofMaxSize(2), ContainerEdit.headerEdit().list().ofMaxSize(3))
                .as(Edits::new).filter(e -> !e.sectionEdits().isEmpty() || !e.headerEdits().isEmpty());
    }

    @Property(tries = 2000, generation = GenerationMode.RANDOMIZED)
    void damagedBytesAreReadOrRefusedCleanly(@ForAll("byteDamage") ByteDamage d) throws Exception {
        Survey.check(d, () -> {
            StringBuilder log = new StringBuilder();
            byte[] bytes = ByteMutation.applyAll(d.mutations(), bases.get(d.base()), log);
            if (d.fixCrc()) {
                bytes = ByteMutation.fixCrc(bytes, log);
            }
            readAndUse(bytes, log.toString());
        });
    }

    @Property(tries = 3000, generation = GenerationMode.RANDOMIZED)
    void editedHeadersAndSectionsAreReadOrRefusedCleanly(@ForAll("edits") Edits e) throws Exception {
        Survey.check(e, () -> {
            StringBuilder log = new StringBuilder();
            Container c = Container.parse(bases.get(e.base()));
            e.sectionEdits().forEach(x -> x.apply(c, log));
            e.headerEdits().forEach(x -> x.apply(c, log));
            readAndUse(c.toBytes(), log.toString());
        });
    }

    private static void readAndUse(byte[] bytes, String log) throws Exception {
        FuzzFiles.withFile(dir, ".clprop", bytes, file -> readAndUse(file, bytes.length, log));
    }

    private static void readAndUse(Path file, int length, String log) {
        String input = "a " + length + "-byte model file: " + log;
        Outcome.Result<ModelFile> r = Outcome.of("ModelFile.read", input, () -> ModelFile.read(file));
        if (r.kind() == Outcome.Kind.REFUSED) {
            Statistics.collect("refused: " + Outcome.gist(r.error()));
            return;
        }
        Statistics.collect("read");
        ModelFile m = r.value();
        for (float w : m.parameters()) {
            if (!Float.isFinite(w)) {
                throw new Finding("ModelFile.read accepted a non-finite weight",
                        "ModelFile.read accepted a model with a non-finite weight (" + w
                        + "); its predictions are garbage\n  on " + input);
            }
        }
        Outcome.of("predicting with the model read", input, () -> predictOneRow(m));
    }

    /** One row as predict would give it: a missing first cell filled, then standardised; a valid class out. */
    private static int predictOneRow(ModelFile m) {
        int d = m.spec().inputs();
        float[] x = new float[d];
        if (m.fill() != null) {
            x[0] = Float.NaN;
            x = m.fill().apply(x).values();
        }
        if (m.standardizer() != null) {
            x = m.standardizer().apply(x);
        }
        try (Backend b = new CpuBackend(); Network n = m.toNetwork(b, 1)) {
            int k = Predictor.predict(b, n, x, 1).classes()[0];
            if (k < 0 || k >= m.spec().outputs()) {
                throw new IllegalStateException("predicted class " + k + " of " + m.spec().outputs() + " ("
                        + Arrays.toString(x) + ")");
            }
            return k;
        }
    }
}
