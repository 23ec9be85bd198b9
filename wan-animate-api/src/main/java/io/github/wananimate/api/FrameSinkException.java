package io.github.wananimate.api;

import io.github.wananimate.errors.WanAnimateException;

/**
 * A {@link FrameSink} failed while receiving a frame (its exception is the cause). The generation stops there;
 * frames before {@link #frameIndex()} were delivered.
 */
public final class FrameSinkException extends WanAnimateException {

    private static final long serialVersionUID = 1L;

    private final int frameIndex;

    public FrameSinkException(int frameIndex, int clip, Throwable cause) {
        super("the frame sink failed on output frame " + frameIndex + " (clip " + clip + "): " + cause, cause);
        this.frameIndex = frameIndex;
    }

    /** The output frame the sink was given when it failed. */
    public int frameIndex() {
        return frameIndex;
    }
}
