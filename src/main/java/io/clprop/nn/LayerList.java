package io.clprop.nn;

import io.clprop.backend.Activation;
import io.clprop.util.Excerpt;
import io.clprop.util.ImageShape;
import io.clprop.util.InvalidSetting;

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
 * <p>Every mistake is an {@link InvalidSetting} naming the item (its position and text) and what is wrong.
 */
public final class LayerList {
    /** Longer descriptions are refused before parsing: no real network has thousands of layers. */
    public static final int MAX_LENGTH = 10_000;
    public static final int MAX_ITEMS = 1_000;

    /** One layer as written; {@code position} counts the items from 1, {@code text} as written, for messages. */
    public sealed interface Item permits Conv, MaxPool, Flatten, Dense {
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
                        + (c.padding() == 0 ? "" : ":pad" + c.padding()) + activationSuffix(c.activation()));
            } else if (item instanceof MaxPool p) {
                out.add("maxpool:" + p.kernel() + (p.stride() == p.kernel() ? "" : ":stride" + p.stride())
                        + (p.padding() == 0 ? "" : ":pad" + p.padding()));
            } else if (item instanceof Dense d) {
                out.add("dense:" + d.units() + activationSuffix(d.activation()));
            } else {
                out.add("flatten");
            }
        }
        return String.join(",", out);
    }

    private static String activationSuffix(Activation a) {
        return a == null || a == Activation.IDENTITY ? "" : "," + a.specName();
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
                throw new InvalidSetting(at(first.position(), first.text()) + "needs images, but the data has no"
                        + " image shape (IDX images have one; for CSV data give " + setting("inputShape") + ")");
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
                throw new InvalidSetting(at(item.position(), item.text()) + withoutCall(e.getMessage()));
            }
        }
        Dense out = (Dense) items.get(items.size() - 1);
        if (out.units() != outputs) {
            throw new InvalidSetting(at(out.position(), out.text()) + "is the output layer, with " + out.units()
                    + " units, but the data has " + outputs + (loss == LossKind.MSE ? " targets" : " classes"));
        }
        if (out.activation() != null && out.activation() != loss.defaultOutputActivation()) {
            throw new InvalidSetting(at(out.position(), out.text()) + "is the output layer, which " + loss.specName
                    + " follows with " + loss.defaultOutputActivation().specName() + "; remove the "
                    + out.activation().specName() + " after it");
        }
        try {
            return b.output(outputs, loss).build();
        } catch (IllegalArgumentException e) {
            throw new InvalidSetting(at(out.position(), out.text()) + withoutCall(e.getMessage()));
        }
    }

    private static Activation linearIfNone(Activation a) {
        return a == null ? Activation.IDENTITY : a;
    }

    /** A builder message without its call ("conv(…): "), which the item's position and text replace. */
    private static String withoutCall(String message) {
        int colon = message.indexOf("): ");
        String rest = colon >= 0 ? message.substring(colon + 3) : message;
        return rest.replace("call flatten() first", "write flatten first")
                .replace(" (after flatten() or a dense layer)", " (after flatten or a dense layer)");
    }

    /** The layers of {@code spec}, its output layer last (what {@link #toSpec} builds it from again). */
    public static LayerList of(NetworkSpec spec) {
        List<Item> items = new ArrayList<>();
        boolean image = false;
        for (LayerSpec l : spec.layers()) {
            int position = items.size() + 1;
            if (l instanceof Conv2dSpec c) {
                var g = c.geometry();
                items.add(new Conv(position, c.describe(), c.outChannels(), g.kernel(), g.stride(), g.padding(),
                        c.activation()));
                image = true;
            } else if (l instanceof MaxPoolSpec p) {
                var g = p.geometry();
                items.add(new MaxPool(position, p.describe(), g.kernel(), g.stride(), g.padding()));
                image = true;
            } else {
                if (image) {
                    items.add(new Flatten(position, "flatten"));
                    image = false;
                }
                items.add(new Dense(items.size() + 1, l.describe(), l.units(), l.activation()));
            }
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
        String[] tokens = text.split(",", -1);
        if (tokens.length > MAX_ITEMS) {
            throw new InvalidSetting(setting("layers") + " has " + tokens.length + " items; at most " + MAX_ITEMS);
        }
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < tokens.length; i++) {
            String token = tokens[i].trim();
            int position = i + 1;
            if (token.isEmpty()) {
                throw new InvalidSetting(at(position, token) + "is empty (two commas in a row, or one at an end)");
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
                        throw new InvalidSetting(at(position, token) + "wants dense:N, N its units");
                    }
                    items.add(new Dense(position, token, number(position, token, parts[1], "units", 1,
                            Integer.MAX_VALUE), null));
                }
                default -> {
                    withActivation(position, token, items, activation(position, token, parts));
                }
            }
        }
        if (!(items.get(items.size() - 1) instanceof Dense)) {
            Item last = items.get(items.size() - 1);
            throw new InvalidSetting(at(last.position(), last.text()) + "is last, but the output layer must be a "
                    + "dense layer as wide as the data has classes (e.g. …,flatten,dense:10)");
        }
        return new LayerList(items);
    }

    private static Conv conv(int position, String token, String[] parts) {
        if (parts.length < 3) {
            throw new InvalidSetting(at(position, token) + "wants conv:C:K[:strideS][:padP], C its channels and K"
                    + " its kernel");
        }
        int channels = number(position, token, parts[1], "channels", 1, ImageShape.MAX_SIDE);
        int kernel = number(position, token, parts[2], "kernel", 1, ImageShape.MAX_SIDE);
        int[] sp = strideAndPadding(position, token, parts, 1);
        return new Conv(position, token, channels, kernel, sp[0], sp[1], null);
    }

    private static MaxPool maxPool(int position, String token, String[] parts) {
        if (parts.length < 2) {
            throw new InvalidSetting(at(position, token) + "wants maxpool:K[:strideS][:padP], K its window");
        }
        int kernel = number(position, token, parts[1], "window", 1, ImageShape.MAX_SIDE);
        int[] sp = strideAndPadding(position, token, parts, kernel);
        return new MaxPool(position, token, kernel, sp[0], sp[1]);
    }

    /** The options after a window's sizes: strideS and padP, each at most once. */
    private static int[] strideAndPadding(int position, String token, String[] parts, int defaultStride) {
        int stride = defaultStride, padding = 0;
        boolean strideSeen = false, paddingSeen = false;
        for (int p = parts[0].equals("conv") ? 3 : 2; p < parts.length; p++) {
            String o = parts[p];
            if (o.startsWith("stride") && !strideSeen) {
                stride = number(position, token, o.substring(6), "stride", 1, ImageShape.MAX_SIDE);
                strideSeen = true;
            } else if (o.startsWith("pad") && !paddingSeen) {
                padding = number(position, token, o.substring(3), "padding", 0, ImageShape.MAX_SIDE);
                paddingSeen = true;
            } else {
                throw new InvalidSetting(at(position, token) + "\"" + Excerpt.of(o) + "\" is not an option here"
                        + " (strideS or padP, each once)");
            }
        }
        return new int[]{stride, padding};
    }

    private static void noArguments(int position, String token, String[] parts) {
        if (parts.length != 1) {
            throw new InvalidSetting(at(position, token) + "takes no arguments");
        }
    }

    private static Activation activation(int position, String token, String[] parts) {
        try {
            Activation a = Activation.parse(parts[0]);
            noArguments(position, token, parts);
            return a;
        } catch (InvalidSetting e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidSetting(at(position, token) + "is not a layer (conv, maxpool, flatten or dense) nor an"
                    + " activation (" + Activation.hiddenNames() + " or identity)");
        }
    }

    /** The item before an activation, with it: a conv or dense layer that has none yet. */
    private static void withActivation(int position, String token, List<Item> items, Activation a) {
        Item before = items.isEmpty() ? null : items.get(items.size() - 1);
        Item with;
        if (before instanceof Conv c && c.activation() == null) {
            with = new Conv(c.position(), c.text(), c.channels(), c.kernel(), c.stride(), c.padding(), a);
        } else if (before instanceof Dense d && d.activation() == null) {
            with = new Dense(d.position(), d.text(), d.units(), a);
        } else {
            throw new InvalidSetting(at(position, token) + "is an activation, which must follow a conv or dense layer"
                    + " that has none yet" + (before == null ? "" : ", not \"" + Excerpt.of(before.text()) + "\""));
        }
        items.set(items.size() - 1, with);
    }

    private static int number(int position, String token, String digits, String what, int min, int max) {
        long v;
        try {
            if (digits.isEmpty() || digits.length() > 10 || !digits.chars().allMatch(Character::isDigit)) {
                throw new NumberFormatException();
            }
            v = Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw new InvalidSetting(at(position, token) + "its " + what + " \"" + Excerpt.of(digits)
                    + "\" is not a whole number");
        }
        if (v < min || v > max) {
            throw new InvalidSetting(at(position, token) + "its " + what + " must be from " + min + " to " + max
                    + ", got " + v);
        }
        return (int) v;
    }

    private static String at(int position, String token) {
        return setting("layers") + " item " + position + " \"" + Excerpt.of(token) + "\" ";
    }
}
