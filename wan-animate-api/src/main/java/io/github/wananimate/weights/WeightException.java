package io.github.wananimate.weights;

import io.github.wananimate.errors.ModelFileException;

/** A checkpoint problem: a missing, extra or mis-shaped key, a corrupt file, a forbidden pickle global. */
public class WeightException extends ModelFileException {

    private static final long serialVersionUID = 1L;

    public WeightException(String message) {
        super(message);
    }

    public WeightException(String message, Throwable cause) {
        super(message, cause);
    }
}
