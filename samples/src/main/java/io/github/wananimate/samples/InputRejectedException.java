package io.github.wananimate.samples;

/**
 * An input could be read but not processed as asked (e.g. a driving frame without a usable face); exit code 1. The
 * message says what to change.
 */
final class InputRejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    InputRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
