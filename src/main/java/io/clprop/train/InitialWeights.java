package io.clprop.train;

import com.google.gson.JsonObject;
import io.clprop.model.ModelFile;
import io.clprop.model.safetensors.ClpropMetadata;
import io.clprop.model.safetensors.SafetensorsFile;
import io.clprop.model.safetensors.SafetensorsModel;
import io.clprop.model.safetensors.SequentialParameters;
import io.clprop.nn.LayerSpec;
import io.clprop.nn.NetworkSpec;
import io.clprop.util.UserError;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.CRC32;

import static io.clprop.util.Wording.setting;

/**
 * Weights a training run starts from instead of drawing them ({@code TrainConfig.Builder.initialWeights}, the
 * setting {@code initFrom}): a clprop model file, or a safetensors file, told apart by their first bytes
 * (the extension is not looked at). Only the weights are taken; the optimizer starts afresh (no momentum, no
 * Adam moments, step count 0), as PyTorch's does when a state_dict is loaded into a new model.
 *
 * <p>The network the run builds must be the one the weights are for, or the first difference is refused
 * ({@link #parametersFor}): against the whole architecture (input width and image shape, each layer with its
 * activation, the loss) when the file says what it is, a clprop model file or a safetensors file clprop
 * wrote (its {@link ClpropMetadata}); against the tensors' names and shapes alone for a safetensors file
 * from elsewhere, which says nothing of activations or strides.
 *
 * <p>A clprop model also carries its preprocessing ({@link #model()}: standardisation, missing-cell fill,
 * feature and class names), in whose units its weights were trained; the command line uses it instead of
 * fitting new statistics on the run's data.
 */
public final class InitialWeights {
    private static final byte[] MODEL_MAGIC = ModelFile.MAGIC.getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHECKPOINT_MAGIC = "CLPROPCK".getBytes(StandardCharsets.US_ASCII);

    /** For messages: the path as given. */
    private final String source;
    /** For the run's configuration: the file's name, the same wherever the run is started from. */
    private final String name;
    /** The whole model, when the file says which network it is; else null and {@link #tensors} is set. */
    private final ModelFile model;
    private final SafetensorsFile tensors;
    private final long crc32;

    private InitialWeights(String source, String name, ModelFile model, SafetensorsFile tensors, long crc32) {
        this.source = source;
        this.name = name;
        this.model = model;
        this.tensors = tensors;
        this.crc32 = crc32;
    }

    /** The weights of a model in memory; {@code source} names it in messages and the run's configuration. */
    public static InitialWeights of(ModelFile model, String source) {
        return new InitialWeights(source, source, model, null, crc(model.parameters()));
    }

    /** The weights in {@code file}, a clprop model file or a safetensors file. */
    public static InitialWeights read(Path file) {
        byte[] start = start(file);
        String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        if (startsWith(start, MODEL_MAGIC)) {
            ModelFile m = ModelFile.read(file);
            return new InitialWeights(file.toString(), name, m, null, crc(m.parameters()));
        }
        if (startsWith(start, CHECKPOINT_MAGIC)) {
            throw new UserError(file + ": is a clprop checkpoint, not a model; continue its run with "
                    + setting("resume") + ", or start from a model it saved");
        }
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new UserError(file + ": cannot read (" + e.getMessage() + ")", e);
        }
        if (!SafetensorsFile.looksLike(start, size)) {
            throw new UserError(file + ": neither a clprop model file (which starts with \"" + ModelFile.MAGIC
                    + "\") nor a safetensors file (an 8-byte header length, then a JSON object)");
        }
        SafetensorsFile f = SafetensorsFile.read(file);
        if (f.metadata().containsKey(ClpropMetadata.NETWORK)) {
            ModelFile m = SafetensorsModel.of(f);
            return new InitialWeights(file.toString(), name, m, null, crc(m.parameters()));
        }
        return new InitialWeights(file.toString(), name, null, f, crc(f));
    }

    /** A file's first 16 bytes (fewer when it is shorter), with the usual one-line errors. */
    private static byte[] start(Path file) {
        if (Files.isDirectory(file)) {
            throw new UserError(file + ": is a folder, expected a clprop model or a safetensors file");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] start = in.readNBytes(16);
            if (start.length == 0) {
                throw new UserError(file + ": empty file, expected a clprop model or a safetensors file");
            }
            return start;
        } catch (IOException e) {
            throw UserError.cannotRead(file, e);
        }
    }

    private static boolean startsWith(byte[] bytes, byte[] prefix) {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** What the weights came from, as messages name it: the file's path as given. */
    public String source() {
        return source;
    }

    /** The file's name (without its folder), as the run's configuration records it. */
    public String name() {
        return name;
    }

    /**
     * The model the weights belong to, with its preprocessing and names; empty for a safetensors file that
     * does not say (PyTorch's).
     */
    public Optional<ModelFile> model() {
        return Optional.ofNullable(model);
    }

    /** CRC-32 of the weights as float32 little-endian, in the order the file holds them. */
    public long crc32() {
        return crc32;
    }

    /** How a run's configuration records them: {"file": name, "crc32": hex}. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("file", name);
        o.addProperty("crc32", Long.toHexString(crc32));
        return o;
    }

    /**
     * The parameter buffer for {@code requested}, the network the run builds; a {@link UserError} naming the
     * file and the first difference when the weights are for another.
     */
    public float[] parametersFor(NetworkSpec requested) {
        if (model == null) {
            return SequentialParameters.of(tensors, requested);
        }
        String difference = firstDifference(model.spec(), requested);
        if (difference != null) {
            throw new UserError(source + ": " + difference);
        }
        return model.parameters();
    }

    /** The first way {@code requested} differs from {@code given}, in words; null when they are the same. */
    static String firstDifference(NetworkSpec given, NetworkSpec requested) {
        if (given.inputs() != requested.inputs()) {
            return "the model takes " + given.inputs() + " inputs, the network of this run " + requested.inputs()
                    + " (the data's features)";
        }
        if (!given.inputShape().equals(requested.inputShape())) {
            return "the model reads " + shape(given) + ", the network of this run " + shape(requested);
        }
        int common = Math.min(given.layers().size(), requested.layers().size());
        for (int l = 0; l < common; l++) {
            LayerSpec a = given.layers().get(l), b = requested.layers().get(l);
            if (!a.equals(b)) {
                return "the model's layer " + (l + 1) + " is " + a.describe() + ", the network of this run has "
                        + b.describe() + (l == requested.layers().size() - 1 && a.units() != b.units()
                        ? " (the output layer, as wide as the data has classes)" : "");
            }
        }
        if (given.layers().size() != requested.layers().size()) {
            return "the model has " + given.layers().size() + " layers (" + given.describe() + "), the network of this "
                    + "run " + requested.layers().size() + " (" + requested.describe() + ")";
        }
        if (given.loss() != requested.loss()) {
            return "the model was trained with the loss " + given.loss().specName + ", this run uses "
                    + requested.loss().specName;
        }
        return null;
    }

    private static String shape(NetworkSpec spec) {
        return spec.inputShape().map(s -> "images of " + s).orElse("flat rows");
    }

    private static long crc(float[] values) {
        CRC32 crc = new CRC32();
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        crc.update(b);
        return crc.getValue();
    }

    private static long crc(SafetensorsFile f) {
        CRC32 crc = new CRC32();
        for (SafetensorsFile.Tensor t : f.tensors()) {
            ByteBuffer b = ByteBuffer.allocate(4 * t.values().length).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(t.values());
            crc.update(b);
        }
        return crc.getValue();
    }

    @Override
    public String toString() {
        return name;
    }
}
