package io.github.wananimate.weights;

import io.github.wananimate.errors.ModelFileException;

/** A checkpoint problem: a missing, extra or mis-shaped key, a corrupt file, a forbidden pickle global. */
public class WeightException extends ModelFileException {

    private static final long serialVersionUID = 1L;

    /**
     * A checkpoint problem.
     *
     * @param message names the file, key or shape at fault
     */
    public WeightException(String message) {
        super(message);
    }

    /**
     * A checkpoint problem with its cause.
     *
     * @param message names the file, key or shape at fault
     * @param cause the underlying failure
     */
    public WeightException(String message, Throwable cause) {
        super(message, cause);
    }
}
