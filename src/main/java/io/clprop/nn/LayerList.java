package io.clprop.nn;

import io.clprop.backend.Activation;
import io.clprop.util.Excerpt;
import io.clprop.util.ImageShape;
import io.clprop.util.InvalidSetting;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import static io.clprop.util.Wording.setting;

/**
 * A network's layers as a user writes them, before the data says how wide its input is: the setting
 * {@code layers}, items separated by commas, in order from the input to the output.
 * <pre>
 *   conv:C:K[:strideS][:padP]     a convolution of C filters K×K (stride 1 and padding 0 unless given)
 *   maxpool:K[:strideS][:padP]    a max-pool of K×K windows (stride K unless given; padding at most K/2)
 *   flatten                       images to flat rows (NCHW order), before the dense layers
 *   dense:N                       a fully connected layer of N units
 *   relu, tanh, sigmoid, …        the activation of the conv or dense layer just before it
 * </pre>
 * e.g. {@code conv:32:3:pad1,relu,maxpool:2,conv:64:3:pad1,relu,maxpool:2,flatten,dense:128,relu,dense:10}.
 * A layer without an activation after it is linear. The last item is the output layer, a dense layer as
 * wide as the data has classes (or targets); the loss gives it its activation (identity logits before
 * softmax-CE, sigmoid before MSE), so an activation after it may only name that one. A convolution or
 * max-pool needs images: data with an image shape, or the output of another image layer; a dense layer
 * reads the input as it is, or what follows a flatten.
 *
 * <p>Every mistake is an {@link InvalidSetting} naming the item (its position, counting activations, and its
 * text) and what is wrong, on one line; what is no one item's fault (more parameters than a long holds, an
 * image shape that is not the data's width) names the setting instead.
 */
public final class LayerList implements java.io.Serializable {
    /** Longer descriptions are refused before parsing: no real network has thousands of layers. */
    public static final int MAX_LENGTH = 10_000;
    public static final int MAX_ITEMS = 1_000;

    /** One layer as written; {@code position} counts the items from 1, {@code text} as written, for messages. */
    public sealed interface Item extends java.io.Serializable permits Conv, MaxPool, Flatten, Dense {
        int position();

        String text();
    }

    public record Conv(int position, String text, int channels, int kernel, int stride, int padding,
                       Activation activation) implements Item {
    }

    public record MaxPool(int position, String text, int kernel, int stride, int padding) implements Item {
    }

    public record Flatten(int position, String text) implements Item {
    }

    /** @param activation null when none was written (linear, or for the output layer: the loss's). */
    public record Dense(int position, String text, int units, Activation activation) implements Item {
    }

    private final List<Item> items;

    private LayerList(List<Item> items) {
        this.items = List.copyOf(items);
    }

    public List<Item> items() {
        return items;
    }

    /** The description in its canonical spelling (what {@link #parse} reads back to an equal list). */
    public String describe() {
        List<String> out = new ArrayList<>();
        for (Item item : items) {
            if (item instanceof Conv c) {
                out.add("conv:" + c.channels() + ":" + c.kernel() + (c.stride() == 1 ? "" : ":stride" + c.stride())
                        + (c.padding() == 0 ? "" : ":pad" + c.padding()) + activationSuffix(c.activation(), false));
            } else if (item instanceof MaxPool p) {
                out.add("maxpool:" + p.kernel() + (p.stride() == p.kernel() ? "" : ":stride" + p.stride())
                        + (p.padding() == 0 ? "" : ":pad" + p.padding()));
            } else if (item instanceof Dense d) {
                out.add("dense:" + d.units() + activationSuffix(d.activation(), item == items.get(items.size() - 1)));
            } else {
                out.add("flatten");
            }
        }
        return String.join(",", out);
    }

    /**
     * A hidden layer's identity is what no activation means, so it is left out; after the output layer it
     * is kept, since none there means the loss's, which {@link #toSpec} checks it against.
     */
    private static String activationSuffix(Activation a, boolean output) {
        return a == null || (a == Activation.IDENTITY && !output) ? "" : "," + a.specName();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LayerList l && l.describe().equals(describe());
    }

    @Override
    public int hashCode() {
        return describe().hashCode();
    }

    @Override
    public String toString() {
        return describe();
    }

    /**
     * The network these layers make for data of {@code inputs} values per sample ({@code shape}: as images of
     * that shape, when the data has one) and {@code outputs} classes or targets, with {@code loss}; an
     * {@link InvalidSetting} naming the item that does not fit the data.
     */
    public NetworkSpec toSpec(int inputs, Optional<ImageShape> shape, int outputs, LossKind loss) {
        NetworkBuilder b = Network.builder();
        Item first = items.get(0);
        if (first instanceof Conv || first instanceof MaxPool || first instanceof Flatten) {
            if (shape.isEmpty()) {
                throw new InvalidSetting(at(first) + " needs images, but the data has no image shape (IDX images"
                        + " have one; for CSV data give " + setting("inputShape") + ")");
            }
            if (shape.get().size() != inputs) {
                throw new InvalidSetting(setting("inputShape") + " " + shape.get() + " has " + shape.get().size()
                        + " values, but the data has " + inputs + " per sample");
            }
            b.input(shape.get());
        } else {
            b.input(inputs);
        }
        for (int i = 0; i < items.size() - 1; i++) {
            Item item = items.get(i);
            try {
                if (item instanceof Conv c) {
                    b.conv(c.channels(), c.kernel(), c.stride(), c.padding(), linearIfNone(c.activation()));
                } else if (item instanceof MaxPool p) {
                    b.maxPool(p.kernel(), p.stride(), p.padding());
                } else if (item instanceof Dense d) {
                    b.dense(d.units(), linearIfNone(d.activation()));
                } else {
                    b.flatten();
                }
            } catch (IllegalArgumentException e) {
                throw new InvalidSetting(at(item) + ": " + withoutCall(e.getMessage()));
            }
        }
        Dense out = (Dense) items.get(items.size() - 1);
        if (out.units() != outputs) {
            throw new InvalidSetting(at(out) + " is the output layer, with " + out.units() + " units, but the data"
                    + " has " + outputs + (loss == LossKind.MSE ? " targets" : " classes"));
        }
        if (out.activation() != null && out.activation() != loss.defaultOutputActivation()) {
            throw new InvalidSetting(at(out) + " is the output layer, whose activation the loss sets ("
                    + loss.defaultOutputActivation().specName() + " before " + loss.specName + "); remove the "
                    + out.activation().specName() + " after it");
        }
        try {
            b.output(outputs, loss);
        } catch (IllegalArgumentException e) {
            throw new InvalidSetting(at(out) + ": " + withoutCall(e.getMessage()));
        }
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            // The network as a whole (its parameter count), not one item.
            throw new InvalidSetting(setting("layers") + ": " + e.getMessage());
        }
    }

    private static Activation linearIfNone(Activation a) {
        return a == null ? Activation.IDENTITY : a;
    }

    /**
     * A builder message without its call ("conv(…): "), which the item's position and text replace, and in
     * the notation's words rather than the builder's.
     */
    private static String withoutCall(String message) {
        int colon = message.indexOf("): ");
        String rest = colon >= 0 ? message.substring(colon + 3) : message;
        return rest.replace("call flatten() first", "write flatten before it")
                .replace(" (after flatten() or a dense layer)", " (after flatten or a dense layer)");
    }

    /**
     * The layers of {@code spec}, its output layer last (what {@link #toSpec} builds it from again), as
     * {@link #parse} reads its {@link #describe()}: positions count the activations as items, and an
     * activation is none where none is written (the identity of a hidden layer, the loss's for the output).
     */
    public static LayerList of(NetworkSpec spec) {
        List<Item> items = new ArrayList<>();
        int position = 1;
        boolean image = false;
        for (int l = 0; l < spec.layers().size(); l++) {
            LayerSpec layer = spec.layers().get(l);
            Activation none = l == spec.layers().size() - 1 ? spec.loss().defaultOutputActivation() : Activation.IDENTITY;
            Activation a = layer.activation() == none ? null : layer.activation();
            String text = layer.describe().split(",")[0];
            if (layer instanceof Conv2dSpec c) {
                var g = c.geometry();
                items.add(new Conv(position, text, c.outChannels(), g.kernel(), g.stride(), g.padding(), a));
                image = true;
            } else if (layer instanceof MaxPoolSpec p) {
                var g = p.geometry();
                items.add(new MaxPool(position, text, g.kernel(), g.stride(), g.padding()));
                image = true;
            } else {
                if (image) {
                    items.add(new Flatten(position++, "flatten"));
                    image = false;
                }
                items.add(new Dense(position, text, layer.units(), a));
            }
            position += a == null ? 1 : 2;
        }
        return new LayerList(items);
    }

    // ---- reading --------------------------------------------------------------------------------------

    /** Reads a description; an {@link InvalidSetting} naming the item at fault. */
    public static LayerList parse(String text) {
        if (text.length() > MAX_LENGTH) {
            throw new InvalidSetting(setting("layers") + " is " + text.length() + " characters long; at most "
                    + MAX_LENGTH + " are read");
        }
        if (text.isBlank()) {
            throw new InvalidSetting(setting("layers") + " is empty; give the layers from the input to the output,"
                    + " e.g. dense:64,relu,dense:10");
        }
        String[] tokens = text.split(",", -1);
        if (tokens.length > MAX_ITEMS) {
            throw new InvalidSetting(setting("layers") + " has " + tokens.length + " items; at most " + MAX_ITEMS);
        }
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            String token = tokens[i].trim();
            int position = i + 1;
            if (token.isEmpty()) {
                throw new InvalidSetting(at(position, token) + " is empty (two commas in a row, or one at an end)");
            }
            String[] parts = token.toLowerCase(Locale.ROOT).split(":", -1);
            switch (parts[0]) {
                case "conv" -> items.add(conv(position, token, parts));
                case "maxpool" -> items.add(maxPool(position, token, parts));
                case "flatten" -> {
                    noArguments(position, token, parts);
                    items.add(new Flatten(position, token));
                }
                case "dense" -> {
                    if (parts.length != 2) {
                        throw new InvalidSetting(at(position, token) + " wants dense:N, N its units");
                    }
                    items.add(new Dense(position, token, number(position, token, parts[1], "units", 1,
                            Integer.MAX_VALUE), null));
                }
                default -> withActivation(position, token, items, activation(position, token, parts));
            }
        }
        Item last = items.get(items.size() - 1);
        if (!(last instanceof Dense)) {
            throw new InvalidSetting(at(last) + " is last, but the output layer must be a dense layer as wide as"
                    + " the data has classes (e.g. …,flatten,dense:10)");
        }
        return new LayerList(items);
    }

    private static Conv conv(int position, String token, String[] parts) {
        if (parts.length < 3) {
            throw new InvalidSetting(at(position, token) + " wants conv:C:K[:strideS][:padP], C its channels and K"
                    + " its kernel");
        }
        int channels = number(position, token, parts[1], "channels", 1, ImageShape.MAX_SIDE);
        int kernel = number(position, token, parts[2], "kernel", 1, ImageShape.MAX_SIDE);
        int[] sp = strideAndPadding(position, token, parts, 3, 1);
        return new Conv(position, token, channels, kernel, sp[0], sp[1], null);
    }

    private static MaxPool maxPool(int position, String token, String[] parts) {
        if (parts.length < 2) {
            throw new InvalidSetting(at(position, token) + " wants maxpool:K[:strideS][:padP], K its window");
        }
        int kernel = number(position, token, parts[1], "window", 1, ImageShape.MAX_SIDE);
        int[] sp = strideAndPadding(position, token, parts, 2, kernel);
        return new MaxPool(position, token, kernel, sp[0], sp[1]);
    }

    /** The options from {@code parts[from]} on: strideS and padP, in either order, each at most once. */
    private static int[] strideAndPadding(int position, String token, String[] parts, int from, int defaultStride) {
        int stride = defaultStride, padding = 0;
        boolean strideSeen = false, paddingSeen = false;
        for (int p = from; p < parts.length; p++) {
            String o = parts[p];
            if (isOption(o, "stride")) {
                if (strideSeen) {
                    throw new InvalidSetting(at(position, token) + ": gives the stride twice");
                }
                stride = number(position, token, o.substring(6), "stride", 1, ImageShape.MAX_SIDE);
                strideSeen = true;
            } else if (isOption(o, "pad")) {
                if (paddingSeen) {
                    throw new InvalidSetting(at(position, token) + ": gives the padding twice");
                }
                padding = number(position, token, o.substring(3), "padding", 0, ImageShape.MAX_SIDE);
                paddingSeen = true;
            } else {
                throw new InvalidSetting(at(position, token) + ": \"" + Excerpt.of(o) + "\" is not an option (strideS"
                        + " or padP, e.g. stride2 or pad1)");
            }
        }
        return new int[]{stride, padding};
    }

    /** Whether {@code o} is the option {@code name} with a number, or with none or a sign (for number to refuse). */
    private static boolean isOption(String o, String name) {
        if (!o.startsWith(name)) {
            return false;
        }
        String rest = o.substring(name.length());
        return rest.isEmpty() || rest.charAt(0) == '-' || isDigit(rest.charAt(0));
    }

    private static void noArguments(int position, String token, String[] parts) {
        if (parts.length != 1) {
            throw new InvalidSetting(at(position, token) + ": " + parts[0] + " takes no arguments");
        }
    }

    private static Activation activation(int position, String token, String[] parts) {
        Activation a;
        try {
            a = Activation.parse(parts[0]);
        } catch (IllegalArgumentException e) {
            throw new InvalidSetting(at(position, token) + " is not a layer (conv, maxpool, flatten, dense) nor an"
                    + " activation (" + String.join(", ", Activation.HIDDEN.stream().map(Activation::specName).toList())
                    + " or identity)");
        }
        noArguments(position, token, parts);
        return a;
    }

    /** The item before an activation, with it: a conv or dense layer that has none yet. */
    private static void withActivation(int position, String token, List<Item> items, Activation a) {
        Item before = items.isEmpty() ? null : items.get(items.size() - 1);
        Item with;
        if (before instanceof Conv c && c.activation() == null) {
            with = new Conv(c.position(), c.text(), c.channels(), c.kernel(), c.stride(), c.padding(), a);
        } else if (before instanceof Dense d && d.activation() == null) {
            with = new Dense(d.position(), d.text(), d.units(), a);
        } else if (before instanceof Conv c) {
            throw secondActivation(position, token, before, c.activation());
        } else if (before instanceof Dense d) {
            throw secondActivation(position, token, before, d.activation());
        } else {
            throw new InvalidSetting(at(position, token) + " is an activation, which must follow a conv or dense"
                    + " layer" + (before == null ? ", not start the list" : ", not " + Excerpt.quoted(before.text())));
        }
        items.set(items.size() - 1, with);
    }

    private static InvalidSetting secondActivation(int position, String token, Item before, Activation first) {
        return new InvalidSetting(at(position, token) + " is a second activation for " + Excerpt.quoted(before.text())
                + ", which has " + first.specName() + " already");
    }

    /**
     * The number {@code digits} (ASCII digits, no sign but a minus, which is then out of range), from
     * {@code min} to {@code max}; its item's {@link InvalidSetting} otherwise.
     */
    private static int number(int position, String token, String digits, String what, int min, int max) {
        if (digits.isEmpty()) {
            throw new InvalidSetting(at(position, token) + ": gives no " + what);
        }
        String magnitude = digits.charAt(0) == '-' ? digits.substring(1) : digits;
        if (magnitude.isEmpty() || !magnitude.chars().allMatch(LayerList::isDigit)) {
            throw new InvalidSetting(at(position, token) + ": its " + what + " " + Excerpt.quoted(digits)
                    + " is not a whole number");
        }
        // Any length (within MAX_LENGTH): a number past a long is out of range, not "not a number".
        BigInteger v = new BigInteger(digits);
        if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
            throw new InvalidSetting(at(position, token) + ": its " + what + " must be from " + min + " to " + max
                    + ", got " + Excerpt.of(digits));
        }
        return v.intValueExact();
    }

    /** 0 to 9 only: Character.isDigit (and Long.parseLong) would take other scripts' digits as well. */
    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    /** "layers item 3 "maxpool:2"", the start of every message about one item. */
    private static String at(int position, String token) {
        return setting("layers") + " item " + position + " " + Excerpt.quoted(token);
    }

    private static String at(Item item) {
        return at(item.position(), item.text());
    }
}
