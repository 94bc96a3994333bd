package io.clprop.model.safetensors;

import io.clprop.backend.Activation;
import io.clprop.backend.WindowGeometry;
import io.clprop.nn.Conv2dSpec;
import io.clprop.nn.DenseSpec;
import io.clprop.nn.LayerSpec;
import io.clprop.nn.MaxPoolSpec;
import io.clprop.nn.NetworkSpec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code torch.nn.Sequential} that computes what a {@link NetworkSpec} computes, and the names its
 * {@code state_dict()} gives the parameters. Every module takes the next index, with or without parameters:
 * a convolution is {@code Conv2d(C_in, C_out, k, stride=s, padding=p)}, a max-pool {@code MaxPool2d(k,
 * stride=s, padding=p)}, the switch from images to rows {@code Flatten()} (where the model file writes its
 * flatten layer), a dense layer {@code Linear(in, out)}; an activation other than the identity is a module of
 * its own after its layer ({@code ReLU()}, {@code Sigmoid()}, {@code Tanh()}, {@code LeakyReLU(0.01)},
 * {@code ELU()}, {@code Softplus()}), and the identity (a linear hidden layer, the logits before softmax-CE)
 * is none. The sigmoid of an MSE model's output layer is its last module; softmax-CE's softmax lies in the
 * loss and is no module, as in PyTorch.
 *
 * <p>There are no {@code Dropout} modules: dropout acts only while training and is no part of a
 * {@link NetworkSpec} (nor of a model file), so a model trained with and without it has the same modules and
 * names. A PyTorch user who fine-tunes with dropout inserts it and renames the tensors, or adds it in a
 * subclass without shifting the indices.
 *
 * <p>A Linear's weight is [out, in] and a Conv2d's [C_out, C_in, k, k]; each bias [out]. clprop's parameter
 * buffer lays the layers out in this order with these shapes flattened row-major, so every tensor is one
 * slice of it ({@link Slot#offset()}).
 */
public final class TorchSequential {
    /**
     * One tensor of the state_dict.
     *
     * @param name   "0.weight", "0.bias", …
     * @param shape  as PyTorch holds it
     * @param offset where its values start in the network's parameter buffer
     * @param layer  the layer of the spec it belongs to, from 0
     */
    public record Slot(String name, long[] shape, int offset, int layer) {
        public Slot {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** The values it holds: the product of its shape. */
        public int count() {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            return Math.toIntExact(n);
        }

        /** Its shape as messages write it: "[128, 784]". */
        public String shapeText() {
            return Arrays.toString(shape);
        }
    }

    private final List<String> modules;
    private final List<Slot> slots;

    private TorchSequential(List<String> modules, List<Slot> slots) {
        this.modules = List.copyOf(modules);
        this.slots = List.copyOf(slots);
    }

    /** The Sequential of {@code spec}. */
    public static TorchSequential of(NetworkSpec spec) {
        List<String> modules = new ArrayList<>();
        List<Slot> slots = new ArrayList<>();
        boolean image = spec.inputShape().isPresent();
        for (int l = 0; l < spec.layers().size(); l++) {
            LayerSpec layer = spec.layers().get(l);
            if (layer instanceof Conv2dSpec c) {
                WindowGeometry g = c.geometry();
                int index = modules.size();
                modules.add("Conv2d(" + g.channels() + ", " + c.outChannels() + ", " + g.kernel()
                        + (g.stride() == 1 ? "" : ", stride=" + g.stride())
                        + (g.padding() == 0 ? "" : ", padding=" + g.padding()) + ")");
                slots.add(new Slot(index + ".weight", new long[]{c.outChannels(), g.channels(), g.kernel(), g.kernel()},
                        spec.weightOffset(l), l));
                slots.add(new Slot(index + ".bias", new long[]{c.outChannels()}, spec.biasOffset(l), l));
            } else if (layer instanceof MaxPoolSpec p) {
                WindowGeometry g = p.geometry();
                modules.add("MaxPool2d(" + g.kernel() + (g.stride() == g.kernel() ? "" : ", stride=" + g.stride())
                        + (g.padding() == 0 ? "" : ", padding=" + g.padding()) + ")");
            } else {
                DenseSpec d = (DenseSpec) layer;
                if (image) {
                    modules.add("Flatten()");
                    image = false;
                }
                int index = modules.size();
                int in = spec.inputsOf(l);
                modules.add("Linear(" + in + ", " + d.units() + ")");
                slots.add(new Slot(index + ".weight", new long[]{d.units(), in}, spec.weightOffset(l), l));
                slots.add(new Slot(index + ".bias", new long[]{d.units()}, spec.biasOffset(l), l));
            }
            String activation = module(layer.activation());
            if (activation != null) {
                modules.add(activation);
            }
        }
        return new TorchSequential(modules, slots);
    }

    /** The module of an activation; null for the identity, which is none. */
    private static String module(Activation a) {
        switch (a) {
            case RELU: return "ReLU()";
            case SIGMOID: return "Sigmoid()";
            case TANH: return "Tanh()";
            // PyTorch's default slope is clprop's (Activation.LEAKY_SLOPE); written out so that it stays visible.
            case LEAKY_RELU: return "LeakyReLU(" + Activation.LEAKY_SLOPE + ")";
            case ELU: return "ELU()";
            // Softplus(beta=1, threshold=20) turns linear past z = 20, where log1p(e^−20) ≈ 2e−9 is all it drops.
            case SOFTPLUS: return "Softplus()";
            default: return null;
        }
    }

    /** The modules in order, as Python writes them without the {@code torch.nn.} prefix: "Linear(784, 128)". */
    public List<String> modules() {
        return modules;
    }

    /** The state_dict's tensors, in the order of the parameter buffer. */
    public List<Slot> slots() {
        return slots;
    }

    /** The Sequential as one Python expression, with {@code import torch}: "torch.nn.Sequential(torch.nn.Linear(…), …)". */
    public String python() {
        StringBuilder s = new StringBuilder("torch.nn.Sequential(");
        for (int i = 0; i < modules.size(); i++) {
            s.append(i == 0 ? "" : ", ").append("torch.nn.").append(modules.get(i));
        }
        return s.append(')').toString();
    }
}
