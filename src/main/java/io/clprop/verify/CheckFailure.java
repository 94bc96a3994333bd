package io.clprop.verify;

/**
 * The device disagreed with the CPU path (or the CPU path with finite differences) beyond tolerance. The
 * CLI prints the message as one line and exits with status 3.
 */
public class CheckFailure extends RuntimeException {
    public CheckFailure(String message) {
        super(message);
    }
}
