package io.github.wananimate.errors;

/**
 * No backend can run the request: none on the class path, the one asked for is missing, or its native runtime
 * cannot load or open the device here. The message says why and what to add or set; the load failure is the cause.
 */
public final class BackendUnavailableException extends WanAnimateException {

    private static final long serialVersionUID = 1L;

    /** No usable backend, for the reason in {@code message}. */
    public BackendUnavailableException(String message) {
        super(message);
    }

    /** No usable backend, for the reason in {@code message}, caused by {@code cause}. */
    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
