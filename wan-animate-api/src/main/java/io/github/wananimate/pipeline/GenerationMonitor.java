package io.github.wananimate.pipeline;

/**
 * What a generation tells its caller as it goes, and where the caller can stop it: every method may throw (the
 * caller's cancellation exception), which ends the generation between model calls.
 */
public interface GenerationMonitor {

    /** Does nothing and never stops the run. */
    GenerationMonitor NONE = new GenerationMonitor() {
    };

    /** The clips are planned; the global conditioning (reference latent, CLIP feature) is next. */
    default void preparing(int clipCount, int stepsPerClip) {
    }

    /** Clip {@code clip}'s conditioning is being encoded. */
    default void encodingClip(int clip) {
    }

    /** {@code step} denoising steps of clip {@code clip} are done. */
    default void denoised(int clip, int step) {
    }

    /** Clip {@code clip} is being decoded. */
    default void decoding(int clip) {
    }

    /** Every frame has been handed out. */
    default void finished() {
    }

    /** Called before model calls; throws to stop the run. */
    default void checkCancelled() {
    }
}
