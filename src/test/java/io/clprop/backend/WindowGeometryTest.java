package io.clprop.backend;

import io.clprop.util.InvalidSetting;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The output size of a window geometry (PyTorch's, remainder dropped), its derived sizes and its refusals. */
class WindowGeometryTest {

    @Test
    void theOutputIsThePaddedImageOverTheStrideWithTheRemainderDropped() {
        // (28 + 2·1 − 3)/1 + 1 = 28; (28 − 3)/2 + 1 = 13 (one row left over); (7 + 2·2 − 5)/2 + 1 = 4.
        assertEquals(28, new WindowGeometry(1, 28, 28, 3, 1, 1).outHeight());
        assertEquals(13, new WindowGeometry(1, 28, 28, 3, 2, 0).outWidth());
        WindowGeometry g = new WindowGeometry(5, 7, 9, 5, 2, 2);
        assertEquals(4, g.outHeight());
        assertEquals(5, g.outWidth());
    }

    @Test
    void derivedSizesAreTheRowsOfTheTensorsThatUseThem() {
        WindowGeometry g = new WindowGeometry(3, 7, 9, 3, 2, 1); // 4 × 5 windows
        assertEquals(3 * 7 * 9, g.imageSize());
        assertEquals(4 * 5, g.outputPixels());
        assertEquals(3 * 3 * 3, g.patchSize());
        assertEquals(3 * 4 * 5, g.pooledSize());
    }

    @Test
    void aWindowAsLargeAsThePaddedImageFitsOnce() {
        // 3 + 2·1 = 5 rows and columns for a 5×5 window: one window down and one across.
        WindowGeometry g = new WindowGeometry(1, 3, 3, 5, 1, 1);
        assertEquals(1, g.outHeight());
        assertEquals(1, g.outWidth());
    }

    @Test
    void impossibleGeometriesAreInvalidSettings() {
        assertRefused("at least one channel", () -> new WindowGeometry(0, 5, 5, 3, 1, 0));
        assertRefused("at least one channel", () -> new WindowGeometry(1, 5, 0, 3, 1, 0));
        assertRefused("kernel 0", () -> new WindowGeometry(1, 5, 5, 0, 1, 0));
        assertRefused("stride 0", () -> new WindowGeometry(1, 5, 5, 3, 0, 0));
        assertRefused("padding -1", () -> new WindowGeometry(1, 5, 5, 3, 1, -1));
        assertRefused("does not fit a 5×2 image padded by 1", () -> new WindowGeometry(1, 5, 2, 5, 1, 1));
        assertRefused("more values than a tensor row holds",
                () -> new WindowGeometry(1 << 12, 1 << 10, 1 << 10, 3, 1, 1));
        // The input (2 values) and the windows (32769² = 1,073,807,361) fit, but their 2·32769² values would
        // wrap an int.
        assertRefused("gives 2×32769×32769 windows, more values than a tensor row holds",
                () -> new WindowGeometry(2, 1, 1, 1, 1, 16384));
    }

    @Test
    void windowsTooManyForAnIntAreRefusedNotWrapped() {
        // (28 + 2·30000 − 1)/1 + 1 = 60028 each way: 60028² = 3,603,360,784 windows, which an int wraps to
        // −691,606,512; 46340² = 2,147,395,600 still fits (28 + 2·23156 = 46340).
        assertRefused("makes 60028×60028 windows, more than a tensor row holds",
                () -> new WindowGeometry(1, 28, 28, 1, 1, 30000));
        assertEquals(2_147_395_600, new WindowGeometry(1, 28, 28, 1, 1, 23156).outputPixels());
    }

    @Test
    void aMaxPoolsPaddingIsAtMostHalfItsWindow() {
        assertDoesNotThrow(() -> new WindowGeometry(1, 4, 4, 2, 2, 1).checkPooling());
        assertDoesNotThrow(() -> new WindowGeometry(1, 5, 5, 5, 1, 2).checkPooling());
        // A convolution may pad a 3×3 window by 2 (every border window is zeros); a max-pool may not.
        WindowGeometry g = new WindowGeometry(1, 5, 5, 3, 1, 2);
        assertRefused("at most half its window", g::checkPooling);
    }

    private static void assertRefused(String part, org.junit.jupiter.api.function.Executable make) {
        InvalidSetting e = assertThrows(InvalidSetting.class, make);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
