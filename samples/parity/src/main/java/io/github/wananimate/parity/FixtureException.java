package io.github.wananimate.parity;

/** A fixture folder that cannot be read or run: names the folder, field or component at fault. */
public class FixtureException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public FixtureException(String message) {
        super(message);
    }

    public FixtureException(String message, Throwable cause) {
        super(message, cause);
    }
}
