package io.clprop.report;

import io.clprop.train.EpochMetrics;
import io.clprop.train.ShadowCheckSummary;
import io.clprop.train.EpochJson;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.clprop.util.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reading an epoch's metrics back (a checkpoint's history): what epochJson wrote comes back, and a field that
 * is not what it writes is the caller's exception naming the field, never getAsInt()'s wrap-around or an
 * unchecked Gson exception.
 */
class MetricsJsonReadTest {
    @Test
    void whatIsWrittenIsRead() {
        EpochMetrics m = new EpochMetrics(3, 0.25, Double.NaN, Double.NaN, 0.875, 0.01, 1.5, 4000, 0.1,
                new ShadowCheckSummary(12, 1e-6, 1e-3));
        JsonObject written = JsonParser.parseString(EpochJson.epochJson(m).toString()).getAsJsonObject();
        assertEquals(m, EpochJson.epochFromJson(written));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"train_loss\": 1}                                 | epoch is missing: it must be a whole number from 0 to 2147483647",
            "{\"epoch\": 4294967297}                            | epoch must be a whole number from 0 to 2147483647, got 4294967297",
            "{\"epoch\": \"1\"}                                 | epoch must be a whole number from 0 to 2147483647, got the string \"1\"",
            "{\"epoch\": 1e999999999}                           | epoch must be a whole number from 0 to 2147483647, got 1e999999999 (out of range)",
            "{\"epoch\": 2, \"train_loss\": [1]}                | epoch 2: train_loss must be a finite number, got an array",
            "{\"epoch\": 2, \"seconds\": 1e400}                 | epoch 2: seconds must be a finite number, got 1e400",
            "{\"epoch\": 2, \"check\": 5}                       | epoch 2: check must be an object, got 5",
            "{\"epoch\": 2, \"check\": {\"steps\": -1}}         | epoch 2: check.steps must be a whole number from 0 to 2147483647, got -1",
            "{\"epoch\": 2, \"check\": {\"steps\": 1, \"max_rel\": \"x\"}} | epoch 2: check.max_rel must be a finite number, got the string \"x\""})
    void fieldsThatAreNotWhatIsWrittenAreRefusedByName(String json, String expected) {
        JsonObject e = JsonParser.parseString(json).getAsJsonObject();
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> EpochJson.epochFromJson(e)).getMessage());
        UserError u = assertThrows(UserError.class,
                () -> EpochJson.epochFromJson(e, problem -> new UserError("run.ckpt: history: " + problem)));
        assertEquals("run.ckpt: history: " + expected, u.getMessage());
        assertTrue(u.getMessage().length() < 200);
    }
}
