package io.github.wananimate.errors;

/** Base of the failures the SDK reports on purpose (see the package description for its kinds). */
public abstract class WanAnimateException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * A failure.
     *
     * @param message what is at fault, naming the file, key, shape or frame
     */
    protected WanAnimateException(String message) {
        super(message);
    }

    /**
     * A failure with a cause.
     *
     * @param message what is at fault, naming the file, key, shape or frame
     * @param cause the underlying failure
     */
    protected WanAnimateException(String message, Throwable cause) {
        super(message, cause);
    }
}
