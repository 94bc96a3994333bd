package io.clprop.data;

import io.clprop.data.CsvReader.Classes;
import io.clprop.data.CsvReader.Options;
import io.clprop.util.UserError;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static io.clprop.util.Wording.setting;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvLabelsTest {
    private final CsvErrors errors = new CsvErrors(Path.of("d.csv"));

    private CsvRows rows(String... labels) {
        CsvRows r = new CsvRows(CsvSchema.of(new String[]{"1", labels[0]}, 1, Options.defaults(), true, null, errors),
                CsvReader.Missing.REFUSED, errors);
        for (int i = 0; i < labels.length; i++) {
            r.addPlain("1," + labels[i], i + 1);
        }
        return r;
    }

    @Test
    void integerLabelsAreIndicesAndOthersSortedNames() {
        Classes indices = CsvLabels.infer(rows("2", "0", "1.0"), errors);
        assertEquals(3, indices.count());
        assertTrue(indices.names().isEmpty());
        assertArrayEquals(new int[]{2, 0, 1}, CsvLabels.classesOf(rows("2", "0", "1.0"), indices, errors));
        Classes named = CsvLabels.infer(rows("b", "a", "2"), errors);
        assertEquals(List.of("2", "a", "b"), named.names(), "one label not an index: all are names");
        assertEquals("the training set's classes (d.csv)", named.whose());
    }

    @Test
    void aLabelOutsideTheClassesIsRefusedAtItsCell() {
        Classes model = new Classes(2, List.of("x", "y"), "the model's classes");
        UserError e = assertThrows(UserError.class, () -> CsvLabels.classesOf(rows("x", "z"), model, errors));
        assertEquals("d.csv:2:2: label \"z\" is not one of the model's classes: x, y", e.getMessage());
        UserError index = assertThrows(UserError.class,
                () -> CsvLabels.classesOf(rows("1", "2"), new Classes(2, List.of(), "the model's classes"), errors));
        assertEquals("d.csv:2:2: label \"2\" is not one of the model's classes: 0..1", index.getMessage());
    }

    @Test
    void anIdColumnAsLabelIsCaught() {
        UserError e = assertThrows(UserError.class, () -> CsvLabels.infer(rows("0", "70000"), errors));
        assertEquals("d.csv:2:2: label 70000 would make 70001 classes (at most 65536); is this the label column? "
                + "(see " + setting("labelColumn") + ")", e.text());
    }
}
