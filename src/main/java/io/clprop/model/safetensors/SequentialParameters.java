package io.clprop.model.safetensors;

import io.clprop.nn.LayerSpec;
import io.clprop.nn.NetworkSpec;
import io.clprop.util.Excerpt;
import io.clprop.util.UserError;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A safetensors file's tensors as the parameter buffer of a given network: each tensor found by the name the
 * network's {@link TorchSequential} gives it, of exactly its shape. Only the names and shapes are used, never
 * clprop's metadata, so a PyTorch {@code state_dict} saved with {@code safetensors.torch.save_file} loads.
 *
 * <p>The first difference is refused, naming the file: a tensor the network needs and the file lacks, one of
 * another shape, a tensor the network does not use (checked after the needed ones, in the file's order), or
 * a weight that is NaN or infinite (a network trained to that state is of no use, and training from it would
 * stop at its first step).
 */
public final class SequentialParameters {
    private SequentialParameters() {
    }

    /** The parameter buffer of {@code spec} from {@code file}'s tensors. */
    public static float[] of(SafetensorsFile file, NetworkSpec spec) {
        TorchSequential sequential = TorchSequential.of(spec);
        Map<String, SafetensorsFile.Tensor> byName = new HashMap<>();
        for (SafetensorsFile.Tensor t : file.tensors()) {
            byName.put(t.name(), t);
        }
        float[] parameters = new float[Math.toIntExact(spec.parameterCount())];
        for (TorchSequential.Slot slot : sequential.slots()) {
            SafetensorsFile.Tensor t = byName.remove(slot.name());
            String layer = "the network's layer " + (slot.layer() + 1) + " (" + layerText(spec.layers().get(slot.layer()))
                    + ")";
            if (t == null) {
                throw new UserError(file.file() + ": has no tensor " + slot.name() + ", which " + layer + " needs, of shape "
                        + slot.shapeText());
            }
            if (!Arrays.equals(t.shape(), slot.shape())) {
                throw new UserError(file.file() + ": " + Excerpt.of(t.name()) + " has shape " + t.shapeText() + ", "
                        + layer + " needs " + slot.shapeText());
            }
            float[] v = t.values();
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    throw new UserError(file.file() + ": " + t.name() + " holds " + v[i] + " at element " + i
                            + " (weights must be finite)");
                }
            }
            System.arraycopy(v, 0, parameters, slot.offset(), v.length);
        }
        for (SafetensorsFile.Tensor t : file.tensors()) {
            if (byName.containsKey(t.name())) {
                throw new UserError(file.file() + ": tensor " + Excerpt.quoted(t.name()) + " " + t.shapeText()
                        + " is not a parameter of the network " + spec.describe() + ", whose tensors are "
                        + names(sequential));
            }
        }
        return parameters;
    }

    /** "dense:128", "conv:32:3:pad1": the layer without its activation, as the layers setting writes it. */
    static String layerText(LayerSpec layer) {
        return layer.describe().split(",")[0];
    }

    /** "0.weight, 0.bias, 2.weight and 2.bias", cut short past a few (a message is one line). */
    private static String names(TorchSequential s) {
        StringBuilder sb = new StringBuilder();
        int shown = Math.min(s.slots().size(), 6);
        for (int i = 0; i < shown; i++) {
            sb.append(i == 0 ? "" : i == s.slots().size() - 1 ? " and " : ", ").append(s.slots().get(i).name());
        }
        if (shown < s.slots().size()) {
            sb.append(", … (").append(s.slots().size()).append(" in all)");
        }
        return sb.toString();
    }
}
