package io.github.wananimate.errors;

/** A model file (checkpoint, config, tokenizer, LoRA) is missing, unreadable or does not fit the model. */
public class ModelFileException extends WanAnimateException {

    private static final long serialVersionUID = 1L;

    /**
     * A problem with a model file.
     *
     * @param message names the file, key or shape at fault
     */
    public ModelFileException(String message) {
        super(message);
    }

    /**
     * A problem with a model file, with the failure that revealed it.
     *
     * @param message names the file, key or shape at fault
     * @param cause the underlying failure
     */
    public ModelFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
