package io.clprop.data;

import org.apache.commons.math3.random.Well19937c;
import org.junit.jupiter.api.Test;

import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvNumbersTest {
    @Test
    void numberSyntax() {
        for (String ok : new String[]{"0", "-1", "+2.", ".5", "1e5", "1E-5", "-0.25e+3", "007"}) {
            assertTrue(CsvNumbers.isNumber(ok), ok);
        }
        for (String bad : new String[]{"", "-", ".", "e5", "1e", "1e+", "1.2.3", "0x1p3", "1d", "١"}) {
            assertTrue(!CsvNumbers.isNumber(bad), bad);
        }
    }

    @Test
    void theFastPathGivesWhatParseDoubleGivesOrDeclines() {
        Well19937c rng = new Well19937c(5);
        for (int k = 0; k < 200_000; k++) {
            String text = switch (k % 4) {
                case 0 -> Integer.toString(rng.nextInt(256));
                case 1 -> Float.toString((float) (rng.nextGaussian() * Math.pow(10, rng.nextInt(12) - 6)));
                case 2 -> String.format(Locale.ROOT, "%." + rng.nextInt(10) + "f", rng.nextGaussian() * 1000);
                default -> "-0." + Long.toString(Math.abs(rng.nextLong()) % 1_000_000_000_000_000L);
            };
            double fast = CsvNumbers.fastDecimal(text);
            if (!Double.isNaN(fast)) {
                assertEquals(Double.parseDouble(text), fast, 0, text);
            }
        }
        assertEquals(-0.0, CsvNumbers.fastDecimal("-0"), 0);
        assertTrue(Double.isNaN(CsvNumbers.fastDecimal("1e5")), "exponents go to Double.parseDouble");
        assertTrue(Double.isNaN(CsvNumbers.fastDecimal("1234567890123456")), "16 digits go to Double.parseDouble");
    }

    @Test
    void theFastPathReadsASliceInPlace() {
        String line = "1, -2.5 ,x";
        assertEquals(1, CsvNumbers.fastDecimal(line, 0, 1), 0);
        assertEquals(-2.5, CsvNumbers.fastDecimal(line, 3, 7), 0);
        assertTrue(Double.isNaN(CsvNumbers.fastDecimal(line, 9, 10)), "not a number");
        assertTrue(Double.isNaN(CsvNumbers.fastDecimal(line, 2, 7)), "spaces are the caller's to trim");
        assertTrue(Double.isNaN(CsvNumbers.fastDecimal(line, 1, 1)), "an empty slice");
    }

    @Test
    void nonFiniteWords() {
        for (String w : new String[]{"nan", "NaN", "-nan", "inf", "+Inf", "-Infinity", "INFINITY"}) {
            assertTrue(CsvNumbers.isNonFiniteWord(w), w);
        }
        for (String w : new String[]{"", "na", "NA", "infinit", "1e999", "--inf", "nan1"}) {
            assertFalse(CsvNumbers.isNonFiniteWord(w), w);
        }
    }

    @Test
    void classIndices() {
        assertEquals(7, CsvNumbers.classIndex("007"));
        assertEquals(7, CsvNumbers.classIndex("+7"));
        assertEquals(7, CsvNumbers.classIndex("7."));
        assertEquals(0, CsvNumbers.classIndex("0.00"));
        assertEquals(-1, CsvNumbers.classIndex("1.5"));
        assertEquals(-1, CsvNumbers.classIndex("-1"));
        assertEquals(-1, CsvNumbers.classIndex("٣"), "ASCII digits only");
        assertTrue(CsvNumbers.classIndex("12345678901234567890") > Integer.MAX_VALUE, "too many digits: too large");
    }

    @Test
    void digitsGiveAColumnByIndex() {
        assertTrue(CsvNumbers.isDigits("0"));
        assertTrue(CsvNumbers.isDigits("0123"));
        assertFalse(CsvNumbers.isDigits("+1"));
        assertFalse(CsvNumbers.isDigits("label"));
        assertFalse(CsvNumbers.isDigits("٣"));
    }
}
