package io.github.wananimate.api;

import io.github.wananimate.errors.WanAnimateException;

/** Thrown when a generation stops because its {@link CancellationToken} was cancelled or a listener returned false. */
public final class GenerationCancelledException extends WanAnimateException {

    private static final long serialVersionUID = 1L;

    /**
     * A cancelled generation.
     *
     * @param message the reason given to {@link CancellationToken#cancel(String)}, or where a listener stopped it
     */
    public GenerationCancelledException(String message) {
        super(message);
    }
}
