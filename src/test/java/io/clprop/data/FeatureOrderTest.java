package io.clprop.data;

import io.clprop.data.FeatureOrder.Outcome;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static io.clprop.data.UserErrors.assertUserError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Matching a file's feature columns to expected names: reordering, refusals, and the positional cases. */
class FeatureOrderTest {
    static final Path FILE = Path.of("data.csv");
    static final List<String> MODEL = List.of("a", "b", "c");

    static FeatureOrder match(List<String> actual) {
        return FeatureOrder.match(MODEL, actual, FILE, "model m.clprop", " (hint)");
    }

    @Test
    void columnsInAnotherOrderArePutInTheExpectedOrder() {
        FeatureOrder o = match(List.of("c", "a", "b"));
        assertEquals(Outcome.REORDERED, o.outcome());
        // Two rows of the file, columns c, a, b.
        float[] file = {30, 10, 20, 31, 11, 21};
        assertArrayEquals(new float[]{10, 20, 30, 11, 21, 31}, o.apply(file, 2));
        Dataset d = o.apply(new Dataset(file, new int[]{1, 0}, 3, 2));
        assertArrayEquals(new float[]{10, 20, 30, 11, 21, 31}, d.features());
        assertArrayEquals(new int[]{1, 0}, d.labels(), "labels stay with their rows");
    }

    @Test
    void sameOrderNoNamesOrNoHeaderLeaveTheDataAlone() {
        float[] x = {1, 2, 3};
        Dataset d = new Dataset(x, new int[]{0}, 3, 1);
        for (FeatureOrder o : List.of(match(MODEL),
                FeatureOrder.match(List.of(), List.of("z", "y", "x"), FILE, "model m.clprop", ""),
                match(List.of()))) {
            assertSame(x, o.apply(x, 1));
            assertSame(d, o.apply(d));
        }
        assertEquals(Outcome.SAME, match(MODEL).outcome());
        assertEquals(Outcome.POSITIONAL, FeatureOrder.match(List.of(), List.of("z"), FILE, "m", "").outcome());
        assertEquals(Outcome.UNCHECKED, match(List.of()).outcome());
    }

    @Test
    void differentNamesAreRefusedNamingTheFirstOnes() {
        assertUserError(() -> match(List.of("a", "B", "c")),
                "data.csv: the columns do not match the features of model m.clprop: missing \"b\"; unknown \"B\" (hint)");
        String missing = assertUserError(() -> match(List.of("c", "a")), "data.csv: ", "missing \"b\"");
        assertTrue(!missing.contains("unknown") && !missing.contains("(hint)"), "the hint is about unknown columns: " + missing);
        assertUserError(() -> match(List.of("id", "a", "b", "c")), ": unknown \"id\" (hint)");
        List<String> many = List.of("a", "b", "c", "u1", "u2", "u3", "u4", "u5", "u6", "u7");
        String m = assertUserError(() -> match(many), "unknown \"u1\", \"u2\", \"u3\", \"u4\", \"u5\", … (7 in all)");
        assertTrue(!m.contains("u6"), m);
    }

    @Test
    void aCheckOnlyWhenThereAreNamesToCheck() {
        assertNull(FeatureOrder.check(List.of(), FILE, "m", ""), "nothing to check: read as before");
        CsvReader.HeaderCheck c = FeatureOrder.check(MODEL, FILE, "model m.clprop", "");
        c.check(List.of("b", "c", "a"));
        assertUserError(() -> c.check(List.of("b", "c", "d")), "missing \"a\"; unknown \"d\"");
    }
}
