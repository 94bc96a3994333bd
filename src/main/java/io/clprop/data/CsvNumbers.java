package io.clprop.data;

import java.util.Locale;

/**
 * The numbers of a CSV file: which cells are decimal numbers, their values (with a hand-written fast path,
 * since Double.parseDouble dominates reading a large file), which texts are non-finite words, and the class
 * index a label names.
 */
final class CsvNumbers {
    /** 10^0 … 10^22: every one a double exactly, which is what makes {@link #fastDecimal} exact. */
    private static final double[] POWERS_OF_TEN = new double[23];

    static {
        for (int i = 0; i < POWERS_OF_TEN.length; i++) {
            POWERS_OF_TEN[i] = Double.parseDouble("1e" + i);
        }
    }

    private CsvNumbers() {
    }

    /** A decimal number as CSV writers produce it: [+-] digits [. digits] [e [+-] digits], or .5 forms. */
    static boolean isNumber(String s) {
        int i = 0, n = s.length();
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        while (i < n && isAsciiDigit(s.charAt(i))) {
            i++;
            digits++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && isAsciiDigit(s.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int exp = 0;
            while (i < n && isAsciiDigit(s.charAt(i))) {
                i++;
                exp++;
            }
            if (exp == 0) {
                return false;
            }
        }
        return i == n;
    }

    /**
     * The value of a plain decimal ([+-]digits[.digits], at most 15 significant digits, no exponent) without
     * Double.parseDouble, which dominates reading a large CSV; NaN when the text is not of that form. Exact
     * for what it accepts: the digits form an integer below 2⁵³ and 10^k (k ≤ 22) is a double exactly, so the
     * one division rounds correctly and the result equals Double.parseDouble's (Clinger's fast path).
     */
    static double fastDecimal(String s) {
        return fastDecimal(s, 0, s.length());
    }

    /** {@link #fastDecimal(String)} of {@code s[from, to)}. */
    static double fastDecimal(String s, int from, int to) {
        int i = from;
        boolean negative = false;
        if (i < to && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        long mantissa = 0;
        int significant = 0, fraction = 0, seen = 0;
        boolean point = false;
        for (; i < to; i++) {
            char c = s.charAt(i);
            if (c == '.' && !point) {
                point = true;
            } else if (isAsciiDigit(c)) {
                mantissa = mantissa * 10 + (c - '0');
                seen++;
                if (mantissa != 0) {
                    significant++;
                }
                if (point) {
                    fraction++;
                }
            } else {
                return Double.NaN;
            }
        }
        if (seen == 0 || significant > 15 || fraction >= POWERS_OF_TEN.length) {
            return Double.NaN;
        }
        double v = mantissa / POWERS_OF_TEN[fraction];
        return negative ? -v : v;
    }

    /** "nan", "inf", "-Infinity", …: numbers to a program, but not features a network can use. */
    static boolean isNonFiniteWord(String s) {
        String w = s.toLowerCase(Locale.ROOT);
        if (w.startsWith("+") || w.startsWith("-")) {
            w = w.substring(1);
        }
        return w.equals("nan") || w.equals("inf") || w.equals("infinity");
    }

    /** The class index a label names ("7", "+7", "7.0", "7."), or −1 if it is not a non-negative integer. */
    static long classIndex(String s) {
        int i = s.startsWith("+") ? 1 : 0, digitsEnd = i;
        while (digitsEnd < s.length() && Character.isDigit(s.charAt(digitsEnd)) && s.charAt(digitsEnd) < 128) {
            digitsEnd++;
        }
        if (digitsEnd == i) {
            return -1;
        }
        if (digitsEnd < s.length()) {
            if (s.charAt(digitsEnd) != '.') {
                return -1;
            }
            for (int j = digitsEnd + 1; j < s.length(); j++) {
                if (s.charAt(j) != '0') {
                    return -1;
                }
            }
        }
        String digits = s.substring(i, digitsEnd).replaceFirst("^0+(?=.)", "");
        return digits.length() > 9 ? Long.MAX_VALUE / 2 : Long.parseLong(digits);
    }

    /** Whether {@code s} is all ASCII digits (a column given by index rather than by name); true for "". */
    static boolean isDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!isAsciiDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
