package io.github.wananimate.api;

import io.github.wananimate.errors.WanAnimateException;

/**
 * A {@link FrameSink} failed while receiving a frame (its exception is the cause). The generation stops there;
 * frames before {@link #frameIndex()} were delivered.
 */
public final class FrameSinkException extends WanAnimateException {

    private static final long serialVersionUID = 1L;

    /** The output frame the sink failed on. */
    private final int frameIndex;

    /**
     * The sink failed.
     *
     * @param frameIndex the output frame it was given
     * @param clip the clip that produced that frame
     * @param cause what the sink threw
     */
    public FrameSinkException(int frameIndex, int clip, Throwable cause) {
        super("the frame sink failed on output frame " + frameIndex + " (clip " + clip + "): " + cause, cause);
        this.frameIndex = frameIndex;
    }

    /** {@return the output frame the sink was given when it failed} */
    public int frameIndex() {
        return frameIndex;
    }
}
