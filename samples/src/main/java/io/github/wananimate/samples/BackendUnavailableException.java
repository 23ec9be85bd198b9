package io.github.wananimate.samples;

/** The backend asked for is not on the classpath, or it is but its native runtime cannot start here. */
final class BackendUnavailableException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
