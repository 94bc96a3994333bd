package io.clprop.data;

import io.clprop.data.CsvReader.Classes;
import io.clprop.util.Excerpt;
import io.clprop.util.UserError;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import static io.clprop.util.Wording.setting;

/**
 * A file's labels as classes: when every label is a non-negative integer ("3", or "3.0") the classes are
 * 0..max; otherwise the distinct label strings, sorted, are the classes and their names. A second file is
 * mapped onto the first one's classes.
 */
final class CsvLabels {
    private CsvLabels() {
    }

    /** The classes of a training set's labels. */
    static Classes infer(CsvRows rows, CsvErrors errors) {
        int labelIndex = rows.schema().labelIndex;
        boolean indices = true;
        int maxRow = -1;
        long max = -1;
        for (int i = 0; i < rows.count() && indices; i++) {
            long k = CsvNumbers.classIndex(rows.label(i));
            indices = k >= 0;
            if (k > max) {
                max = k;
                maxRow = i;
            }
        }
        String whose = "the training set's classes (" + errors.file + ")";
        if (indices) {
            if (max >= CsvReader.MAX_CLASSES) {
                throw errors.at(rows.line(maxRow), labelIndex, "label " + Excerpt.of(rows.label(maxRow))
                        + " would make " + (max + 1) + " classes (at most " + CsvReader.MAX_CLASSES
                        + "); is this the label column? (see " + setting("labelColumn") + ")");
            }
            return new Classes((int) max + 1, List.of(), whose);
        }
        TreeSet<String> distinct = new TreeSet<>(rows.labels());
        if (distinct.size() > CsvReader.MAX_CLASSES) {
            throw new UserError(errors.file + ": " + distinct.size() + " distinct labels (at most "
                    + CsvReader.MAX_CLASSES + "); is column " + (labelIndex + 1) + " the label column? (see "
                    + setting("labelColumn") + ")");
        }
        return new Classes(distinct.size(), new ArrayList<>(distinct), whose);
    }

    /** Each row's class among {@code classes}; a label that is none of them is refused at its cell. */
    static int[] classesOf(CsvRows rows, Classes classes, CsvErrors errors) {
        int[] out = new int[rows.count()];
        for (int i = 0; i < out.length; i++) {
            out[i] = classOf(rows.label(i), classes);
            if (out[i] < 0) {
                throw errors.at(rows.line(i), rows.schema().labelIndex, "label " + Excerpt.quoted(rows.label(i))
                        + " is not one of " + classes.whose() + ": " + classes.describe());
            }
        }
        return out;
    }

    /** The class {@code label} names, or −1 when it is none of {@code classes}. */
    private static int classOf(String label, Classes classes) {
        if (classes.named()) {
            return classes.names().indexOf(label);
        }
        long k = CsvNumbers.classIndex(label);
        return k < 0 || k >= classes.count() ? -1 : (int) k;
    }
}
