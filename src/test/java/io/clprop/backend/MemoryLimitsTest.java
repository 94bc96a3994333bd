package io.clprop.backend;

import io.clprop.util.UserError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The testing/diagnostic knob that makes a device look smaller, and the sizes in messages. */
class MemoryLimitsTest {
    @AfterEach
    void noLimit() {
        System.clearProperty(MemoryLimits.PROPERTY);
    }

    @Test
    void withoutTheKnobTheDeviceSizesStand() {
        Assumptions.assumeTrue(System.getenv(MemoryLimits.ENV) == null, MemoryLimits.ENV + " is set for this run");
        MemoryLimits l = MemoryLimits.of("d", 8000, 2000);
        assertEquals(8000, l.globalBytes());
        assertEquals(2000, l.maxAllocBytes());
        assertEquals("as the device reports", l.source());
    }

    @Test
    void theKnobLowersButNeverRaises() {
        System.setProperty(MemoryLimits.PROPERTY, "3000");
        MemoryLimits l = MemoryLimits.of("d", 8000, 2000);
        assertEquals(3000, l.globalBytes());
        assertEquals(2000, l.maxAllocBytes());
        assertTrue(l.source().contains("-D" + MemoryLimits.PROPERTY + "=3000"), l.source());
        System.setProperty(MemoryLimits.PROPERTY, "1000");
        assertEquals(1000, MemoryLimits.of("d", 8000, 2000).maxAllocBytes());
    }

    @Test
    void aBadKnobValueIsAUserError() {
        for (String bad : new String[]{"lots", "0", "-5", "1.5e9"}) {
            System.setProperty(MemoryLimits.PROPERTY, bad);
            UserError e = assertThrows(UserError.class, () -> MemoryLimits.of("d", 8000, 2000), bad);
            assertTrue(e.getMessage().startsWith("-D" + MemoryLimits.PROPERTY + "=" + bad + ": "), e.getMessage());
        }
    }

    @Test
    void sizesAreFormattedInBinaryUnits() {
        assertEquals("1023 B", MemoryLimits.format(1023));
        assertEquals("1.0 KiB", MemoryLimits.format(1024));
        assertEquals("1.5 MiB", MemoryLimits.format(3L << 19));
        assertEquals("80.0 GiB", MemoryLimits.format(80L << 30));
    }
}
