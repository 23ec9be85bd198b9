package io.github.wananimate.djl;

/** An operation failed in the PyTorch engine; the message names the op and the shapes it was given. */
public class DjlOpException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public DjlOpException(String message, Throwable cause) {
        super(message, cause);
    }
}
