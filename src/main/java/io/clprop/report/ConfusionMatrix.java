package io.clprop.report;

import java.util.List;

/** Counts of (true class, predicted class) pairs, and the table `clprop eval` prints. */
public final class ConfusionMatrix {
    private ConfusionMatrix() {
    }

    /** {@code m[t][p]} = number of samples of true class t predicted as p. */
    public static int[][] confusion(int[] truth, int[] predicted, int classes) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException(truth.length + " labels and " + predicted.length + " predictions");
        }
        int[][] m = new int[classes][classes];
        for (int i = 0; i < truth.length; i++) {
            if (truth[i] < 0 || truth[i] >= classes || predicted[i] < 0 || predicted[i] >= classes) {
                throw new IllegalArgumentException("sample " + i + ": class " + truth[i] + " predicted " + predicted[i]
                        + ", outside 0.." + (classes - 1));
            }
            m[truth[i]][predicted[i]]++;
        }
        return m;
    }

    /**
     * The matrix as an aligned table: one row per true class, one column per predicted class, headed by the
     * class names (or indices when {@code names} is empty), and a last column with the row's recall (the
     * fraction of that class predicted correctly; "-" for a class with no samples).
     */
    public static String format(int[][] m, List<String> names) {
        int n = m.length;
        String[] label = new String[n];
        for (int k = 0; k < n; k++) {
            // One line per class whatever its name holds (a CSV label may span lines).
            label[k] = names.isEmpty() ? Integer.toString(k) : names.get(k).replace("\r", "\\r").replace("\n", "\\n");
        }
        String corner = "true \\ predicted";
        int rowHead = corner.length();
        for (String l : label) {
            rowHead = Math.max(rowHead, l.length());
        }
        int[] width = new int[n];
        for (int c = 0; c < n; c++) {
            width[c] = label[c].length();
            for (int[] row : m) {
                width[c] = Math.max(width[c], Integer.toString(row[c]).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(pad(corner, rowHead, false));
        for (int c = 0; c < n; c++) {
            sb.append("  ").append(pad(label[c], width[c], true));
        }
        sb.append("  recall\n");
        for (int r = 0; r < n; r++) {
            sb.append(pad(label[r], rowHead, false));
            long total = 0;
            for (int c = 0; c < n; c++) {
                sb.append("  ").append(pad(Integer.toString(m[r][c]), width[c], true));
                total += m[r][c];
            }
            sb.append("  ").append(total == 0 ? "     -" : String.format("%.4f", (double) m[r][r] / total)).append('\n');
        }
        return sb.toString();
    }

    private static String pad(String s, int width, boolean right) {
        String space = " ".repeat(Math.max(0, width - s.length()));
        return right ? space + s : s + space;
    }
}
