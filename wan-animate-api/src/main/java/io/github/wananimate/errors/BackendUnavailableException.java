package io.github.wananimate.errors;

/**
 * No backend can run the request: none on the class path, the one asked for is missing, or its native runtime
 * cannot load or open the device here. The message says why and what to add or set; the load failure is the cause.
 */
public final class BackendUnavailableException extends WanAnimateException {

    private static final long serialVersionUID = 1L;

    /**
     * No usable backend.
     *
     * @param message why, and what to add or set
     */
    public BackendUnavailableException(String message) {
        super(message);
    }

    /**
     * No usable backend, with the load failure.
     *
     * @param message why, and what to add or set
     * @param cause the underlying failure
     */
    public BackendUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
