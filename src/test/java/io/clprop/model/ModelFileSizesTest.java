package io.clprop.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.clprop.util.UserError;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A model file's layer widths are untrusted: a header whose parameter count passes 2^31, or even 2^63, is
 * refused with the true count (or "more than 2^63 − 1"), never a wrapped one, and never an internal error.
 */
class ModelFileSizesTest {
    @TempDir
    Path dir;

    /** A model file of {@code version} (1: dense layers untyped, 2: typed) with these widths, read. */
    private String errorFor(int version, int inputs, int... units) {
        JsonArray layers = new JsonArray();
        for (int l = 0; l < units.length; l++) {
            JsonObject o = new JsonObject();
            if (version == 2) {
                o.addProperty("type", "dense");
            }
            o.addProperty("units", units[l]);
            o.addProperty("activation", l < units.length - 1 ? "relu" : "identity");
            layers.add(o);
        }
        JsonObject net = new JsonObject();
        net.addProperty("inputs", inputs);
        net.add("layers", layers);
        net.addProperty("loss", "softmax-ce");
        JsonObject h = new JsonObject();
        h.add("network", net);
        h.addProperty("standardized", false);
        LinkedHashMap<String, float[]> f32 = new LinkedHashMap<>();
        f32.put("parameters", new float[3]);
        Path f = dir.resolve("huge.clprop");
        new ClpropFile(ModelFile.MAGIC, version, h, f32, new LinkedHashMap<>()).write(f);
        return assertThrows(UserError.class, () -> ModelFile.read(f)).getMessage();
    }

    /**
     * 784-100000-100000-10 counts 10079600010 parameters in a long. Three layers of 2^31 − 1 count about
     * 1.4·10^19, which a long sum wraps to a negative number. Both versions of the network object count alike.
     */
    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "1; 784; 100000,100000,10; has 10079600010 parameters but the \"parameters\" section holds 3",
            "1; 2147483646; 2147483647,2147483647,2147483647; has more than 2^63 − 1 parameters",
            "2; 784; 100000,100000,10; has 10079600010 parameters but the \"parameters\" section holds 3",
            "2; 2147483646; 2147483647,2147483647,2147483647; has more than 2^63 − 1 parameters"})
    void aHeaderWithHugeWidthsIsRefusedWithItsTrueCount(int version, int inputs, String units, String problem) {
        int[] u = Arrays.stream(units.split(",")).mapToInt(Integer::parseInt).toArray();
        String file = dir.resolve("huge.clprop").toString();
        String widths = inputs + "-" + units.replace(',', '-');
        String err = errorFor(version, inputs, u);
        assertEquals(file + ": the network " + widths + " " + problem, err);
    }
}
