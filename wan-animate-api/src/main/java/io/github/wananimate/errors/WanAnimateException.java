package io.github.wananimate.errors;

/** Base of the failures the SDK reports on purpose (see the package description for its kinds). */
public abstract class WanAnimateException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** A failure with a message naming what is at fault. */
    protected WanAnimateException(String message) {
        super(message);
    }

    /** A failure with a message naming what is at fault, caused by {@code cause}. */
    protected WanAnimateException(String message, Throwable cause) {
        super(message, cause);
    }
}
