package io.clprop.backend.opencl;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** One work-group shape per dimension count, whatever the global size (so PoCL compiles each kernel once). */
class WorkGroupShapeTest {
    @Test
    void oneDimensionRoundsUpToWholeGroupsOfTheSameSize() {
        for (long n : new long[]{1, 63, 64, 65, WorkGroupShape.LARGE_1D}) {
            WorkGroupShape s = WorkGroupShape.of(new long[]{n}, 4096);
            assertArrayEquals(new long[]{WorkGroupShape.ITEMS_1D}, s.local());
            assertArrayEquals(new long[]{(n + 63) / 64 * 64}, s.global(), "global for " + n);
        }
    }

    @Test
    void largeOneDimensionalLaunchesGetLargerGroups() {
        WorkGroupShape s = WorkGroupShape.of(new long[]{235146}, 4096);
        assertArrayEquals(new long[]{WorkGroupShape.ITEMS_1D_LARGE}, s.local());
        assertArrayEquals(new long[]{230 * 1024}, s.global(), "rounded up to whole groups of 1,024");
        assertArrayEquals(new long[]{WorkGroupShape.ITEMS_1D},
                WorkGroupShape.of(new long[]{WorkGroupShape.LARGE_1D}, 4096).local());
        assertArrayEquals(new long[]{WorkGroupShape.ITEMS_1D_LARGE},
                WorkGroupShape.of(new long[]{WorkGroupShape.LARGE_1D + 1}, 4096).local());
    }

    @Test
    void twoDimensionsRoundEachUp() {
        WorkGroupShape s = WorkGroupShape.of(new long[]{3, 32}, 4096);
        assertArrayEquals(new long[]{8, 8}, s.local());
        assertArrayEquals(new long[]{8, 32}, s.global());
        assertArrayEquals(new long[]{24, 16}, WorkGroupShape.of(new long[]{17, 9}, 4096).global());
    }

    @Test
    void gridsWithinOneGroupKeepTheDriversShape() {
        // The reference MLP's output-layer weight gradient: 4 × 3 items would be one 8 × 8 group.
        WorkGroupShape s = WorkGroupShape.of(new long[]{4, 3}, 4096);
        assertNull(s.local());
        assertArrayEquals(new long[]{4, 3}, s.global());
        assertNull(WorkGroupShape.of(new long[]{8, 8}, 4096).local(), "1 group");
        assertArrayEquals(new long[]{8, 8}, WorkGroupShape.of(new long[]{9, 8}, 4096).local(), "2 groups");
        assertArrayEquals(new long[]{8, 8}, WorkGroupShape.of(new long[]{3, 24}, 4096).local(), "3 groups");
    }

    @Test
    void theThirdDimensionIsNeverRounded() {
        WorkGroupShape s = WorkGroupShape.of(new long[]{5, 27, 3}, 4096);
        assertArrayEquals(new long[]{8, 8, 1}, s.local());
        assertArrayEquals(new long[]{8, 32, 3}, s.global());
        assertNull(WorkGroupShape.of(new long[]{5, 7, 3}, 4096).local(), "within one group");
    }

    @Test
    void aKernelAllowedFewerItemsGetsTheDriversChoice() {
        WorkGroupShape two = WorkGroupShape.of(new long[]{3, 32}, 32);
        assertNull(two.local());
        assertArrayEquals(new long[]{3, 32}, two.global());
        WorkGroupShape one = WorkGroupShape.of(new long[]{100}, 16);
        assertNull(one.local());
        assertArrayEquals(new long[]{128}, one.global(), "1-D launches are still rounded to 64");
    }
}
