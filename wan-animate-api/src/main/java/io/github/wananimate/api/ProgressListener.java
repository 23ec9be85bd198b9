package io.github.wananimate.api;

/**
 * Told about progress after every denoising step and at every stage change. Returning {@code false} cancels the
 * generation (it then ends with {@link GenerationCancelledException}). Called on the generating thread: keep it
 * short.
 */
@FunctionalInterface
public interface ProgressListener {

    /** A listener that ignores progress and never cancels. */
    ProgressListener NONE = progress -> true;

    /**
     * Called after every denoising step and at every stage change.
     *
     * @param progress where the generation stands
     * @return {@code true} to continue, {@code false} to cancel
     */
    boolean onProgress(Progress progress);
}
