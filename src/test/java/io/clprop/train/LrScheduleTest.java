package io.clprop.train;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class LrScheduleTest {
    @Test
    void constantStepAndCosine() {
        assertEquals(0.1, LrSchedule.parse("constant").rate(0.1, 7, 3, 10, 20));
        LrSchedule step = LrSchedule.parse("step:5:0.5");
        assertEquals(0.1, step.rate(0.1, 4, 9, 10, 20), 1e-15);
        assertEquals(0.05, step.rate(0.1, 5, 0, 10, 20), 1e-15);
        assertEquals(0.025, step.rate(0.1, 12, 0, 10, 20), 1e-15);
        LrSchedule cos = LrSchedule.parse("cosine");
        assertEquals(0.1, cos.rate(0.1, 0, 0, 10, 4), 1e-15);
        assertEquals(0.05, cos.rate(0.1, 2, 0, 10, 4), 1e-15); // halfway
        assertEquals(0.1 * 0.5 * (1 + Math.cos(Math.PI * 39 / 40)), cos.rate(0.1, 3, 9, 10, 4), 1e-15);
    }

    @Test
    void badSchedulesNameTheProblem() {
        assertEquals("unknown schedule 'linear' (expected constant, step:E:G or cosine)",
                assertThrows(IllegalArgumentException.class, () -> LrSchedule.parse("linear")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.parse("step:0:0.5"));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.parse("step:2:-1"));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.parse("step:x:0.5"));
        assertThrows(IllegalArgumentException.class, () -> LrSchedule.parse("step:2"));
    }
}
