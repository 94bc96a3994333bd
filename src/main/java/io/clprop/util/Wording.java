package io.clprop.util;

import java.util.function.Function;

/**
 * How messages name a setting. The library checks each value once, where it is defined, and says which
 * setting is wrong by the library's own name for it: the field of its config (TrainConfig's
 * {@code batchSize}, OptimizerConfig's {@code momentum}, CsvReader's {@code labelColumn}). Such a name is
 * written into the text with {@link #setting}; a Java caller reads the message with the plain field names
 * ({@link #plain}, what {@link UserError#getMessage()} and {@link InvalidSetting#getMessage()} return), and
 * the command line shows its option names instead ({@link #render} with its own table), so that only the
 * command line knows its flags.
 */
public final class Wording {
    /** Marks around a setting's name in a message; characters no file, option or message of clprop uses. */
    private static final char OPEN = '\u2983', CLOSE = '\u2984';

    private Wording() {
    }

    /** The setting {@code name} as it stands in a message, e.g. {@code setting("batchSize") + " must be positive"}. */
    public static String setting(String name) {
        // Not OPEN + name + CLOSE: the bootstrap of that concatenation reads its recipe, which holds these two
        // non-Latin-1 marks, with String.charAt, and that one early call on a UTF-16 string makes the JIT keep
        // a UTF-16 branch, and a call, in every hot loop over Latin-1 text it compiles with charAt inlined
        // (reading a large CSV file is about a tenth slower). A StringBuilder would do the same to
        // StringBuilder.append(char), which the CSV reader's quoted cells use.
        char[] marked = new char[name.length() + 2];
        marked[0] = OPEN;
        name.getChars(0, name.length(), marked, 1);
        marked[marked.length - 1] = CLOSE;
        return new String(marked);
    }

    /** The message with every setting shown by its library name. */
    public static String plain(String text) {
        return render(text, name -> name);
    }

    /**
     * The message with every setting shown as {@code names} spells it; a name it does not know (null) is
     * shown as the library's.
     */
    public static String render(String text, Function<String, String> names) {
        if (text == null || text.indexOf(OPEN) < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            int open = text.indexOf(OPEN, i);
            int close = open < 0 ? -1 : text.indexOf(CLOSE, open + 1);
            if (close < 0) {
                out.append(text, i, text.length());
                break;
            }
            out.append(text, i, open);
            String name = text.substring(open + 1, close);
            String shown = names.apply(name);
            out.append(shown == null ? name : shown);
            i = close + 1;
        }
        return out.toString();
    }
}
