package io.clprop.util;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.clprop.util.Wording.setting;
import static org.junit.jupiter.api.Assertions.assertEquals;

class WordingTest {
    @Test
    void aSettingIsItsNameBetweenTheTwoMarks() {
        assertEquals("\u2983batchSize\u2984", setting("batchSize"));
        assertEquals("\u2983\u2984", setting(""));
    }

    @Test
    void plainShowsTheLibraryNames() {
        assertEquals("batchSize must be positive, got 0", Wording.plain(setting("batchSize") + " must be positive, got 0"));
    }

    @Test
    void renderShowsEachSettingAsTheTableSpellsItAndAnUnknownOneByItsName() {
        Map<String, String> options = Map.of("batchSize", "--batch");
        assertEquals("--batch or learningRate",
                Wording.render(setting("batchSize") + " or " + setting("learningRate"), options::get));
    }
}
