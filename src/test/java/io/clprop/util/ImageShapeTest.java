package io.clprop.util;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The image shape of a sample: its size, how the setting inputShape is written, and what it refuses. */
class ImageShapeTest {
    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "1x28x28; 1; 28; 28; 784",
            "3×32×32; 3; 32; 32; 3072",
            "' 2 x 3 x 4 '; 2; 3; 4; 24",
            "1x1x65536; 1; 1; 65536; 65536",
    })
    void parsesBothSeparators(String text, int c, int h, int w, int size) {
        ImageShape s = ImageShape.parse(text);
        assertEquals(new ImageShape(c, h, w), s);
        assertEquals(size, s.size());
    }

    @Test
    void printsWithTheMultiplicationSign() {
        assertEquals("1×28×28", new ImageShape(1, 28, 28).toString());
        assertEquals(new ImageShape(3, 4, 5), ImageShape.parse(new ImageShape(3, 4, 5).toString()), "round trip");
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
            "28x28; inputShape wants channels×height×width, e.g. 1x28x28, got \"28x28\"",
            "1x2x3x4; inputShape wants channels×height×width, e.g. 1x28x28, got \"1x2x3x4\"",
            "1*28*28; inputShape wants channels×height×width, e.g. 1x28x28, got \"1*28*28\"",
            "axbxc; inputShape wants three whole numbers channels×height×width, e.g. 1x28x28, got \"axbxc\"",
            "1x28x; inputShape wants three whole numbers channels×height×width, e.g. 1x28x28, got \"1x28x\"",
            "1.5x2x2; inputShape wants three whole numbers channels×height×width, e.g. 1x28x28, got \"1.5x2x2\"",
            "0x1x1; inputShape: an image shape needs channels, height and width from 1 to 65536 and at most 2^31 − 1 values, got 0×1×1",
            "1x-2x3; inputShape: an image shape needs channels, height and width from 1 to 65536 and at most 2^31 − 1 values, got 1×-2×3",
            "1x1x65537; inputShape: an image shape needs channels, height and width from 1 to 65536 and at most 2^31 − 1 values, got 1×1×65537",
            "65536x65536x1; inputShape: an image shape needs channels, height and width from 1 to 65536 and at most 2^31 − 1 values, got 65536×65536×1",
            "1x1x99999999999; inputShape wants three whole numbers channels×height×width, e.g. 1x28x28, got \"1x1x99999999999\"",
    })
    void refusesNamingTheSetting(String text, String message) {
        InvalidSetting e = assertThrows(InvalidSetting.class, () -> ImageShape.parse(text));
        assertEquals(message, e.getMessage());
        assertTrue(Wording.render(e.text(), name -> "<" + name + ">").startsWith("<inputShape>"),
                "the setting is marked for the command line: " + e.text());
    }

    @Test
    void theLargestShapeFitsAnInt() {
        // 2^16 × 2^15 × 1 = 2^31 is one over; 2^16 × 2^14 × 1 is fine.
        assertThrows(InvalidSetting.class, () -> new ImageShape(1 << 16, 1 << 15, 1));
        assertEquals(1 << 30, new ImageShape(1 << 16, 1 << 14, 1).size());
    }
}
