package io.github.wananimate.samples;

/** An input file of a command (image, video, folder) is missing or cannot be read; the message names it. */
final class InputFileException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    InputFileException(String message) {
        super(message);
    }

    InputFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
