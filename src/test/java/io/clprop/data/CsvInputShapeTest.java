package io.clprop.data;

import io.clprop.data.CsvReader.HeaderMode;
import io.clprop.data.CsvReader.Options;
import io.clprop.util.ImageShape;
import io.clprop.util.InvalidSetting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** CSV data declared to be images (the setting inputShape): the columns must be the shape's values. */
class CsvInputShapeTest {
    @TempDir
    Path dir;

    Path csv(String content) throws IOException {
        return Files.writeString(dir.resolve("d.csv"), content);
    }

    static Options declared(String label, ImageShape shape) {
        return new Options(HeaderMode.AUTO, label).withInputShape(shape);
    }

    @Test
    void labelledDataCarriesTheShape() throws IOException {
        Path p = csv("p0,p1,p2,p3,y\n1,2,3,4,0\n5,6,7,8,1\n");
        Dataset d = CsvReader.readLabelled(p, declared(null, new ImageShape(1, 2, 2))).data();
        assertEquals(Optional.of(new ImageShape(1, 2, 2)), d.imageShape());
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6, 7, 8}, d.features());
        assertEquals(Optional.empty(), CsvReader.readLabelled(p, Options.defaults()).data().imageShape(),
                "plain rows without the setting");
    }

    @Test
    void aShapeOfAnotherSizeIsRefusedBeforeTheRowsAreRead() throws IOException {
        // Row 3 has a cell that is not a number: the shape is refused first, from the header alone.
        Path p = csv("p0,p1,p2,p3,y\n1,2,3,4,0\n5,x,7,8,1\n");
        InvalidSetting e = assertThrows(InvalidSetting.class,
                () -> CsvReader.readLabelled(p, declared(null, new ImageShape(1, 3, 1))));
        assertEquals(p + ": inputShape 1×3×1 holds 3 values, the CSV data has 4 feature columns", e.getMessage());
    }

    @Test
    void theLabelAndLeftOutColumnsAreNotCounted() throws IOException {
        Path p = csv("id,a,y,b\nr1,1,0,2\nr2,3,1,4\n");
        Options o = declared("y", new ImageShape(2, 1, 1)).withKeepColumns(java.util.List.of("id"));
        assertEquals(Optional.of(new ImageShape(2, 1, 1)), CsvReader.readLabelled(p, o).data().imageShape());
        InvalidSetting e = assertThrows(InvalidSetting.class,
                () -> CsvReader.readLabelled(p, declared("y", new ImageShape(1, 1, 1)).withKeepColumns(java.util.List.of("id"))));
        assertEquals(p + ": inputShape 1×1×1 holds 1 value, the CSV data has 2 feature columns", e.getMessage());
    }

    @Test
    void featuresForPredictionAreCheckedToo() throws IOException {
        Path p = csv("1,2,3\n4,5,6\n");
        assertEquals(2, CsvReader.readFeatures(p, declared(null, new ImageShape(3, 1, 1))).rows());
        InvalidSetting e = assertThrows(InvalidSetting.class,
                () -> CsvReader.readFeatures(p, declared(null, new ImageShape(1, 2, 2))));
        assertEquals(p + ": inputShape 1×2×2 holds 4 values, the CSV data has 3 feature columns", e.getMessage());
        Path one = Files.writeString(dir.resolve("one.csv"), "1\n2\n");
        e = assertThrows(InvalidSetting.class, () -> CsvReader.readFeatures(one, declared(null, new ImageShape(1, 2, 1))));
        assertEquals(one + ": inputShape 1×2×1 holds 2 values, the CSV data has 1 feature column", e.getMessage());
    }
}
