package io.github.wananimate.preprocess.video;

import java.nio.file.Path;

/** A video that cannot be opened, decoded or written; the message names the file. */
public class VideoException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public VideoException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
    }

    public VideoException(Path file, String message) {
        this(file, message, null);
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
