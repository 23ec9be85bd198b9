package io.github.wananimate.api;

import io.github.wananimate.video.Frame;
import java.io.IOException;

/**
 * Receives the generated frames in order, clip by clip, as soon as each clip is decoded (so memory does not grow
 * with the video's length). Frame indices run from 0 to the input frame count − 1 without gaps.
 */
@FunctionalInterface
public interface FrameSink extends AutoCloseable {

    /**
     * Called once per output frame, in increasing {@code index} order.
     *
     * @param index 0-based index in the output video
     * @param frame the frame, at the pose frames' size
     * @throws IOException when the frame cannot be stored; the generation stops with a {@link FrameSinkException}
     */
    void accept(int index, Frame frame) throws IOException;

    /**
     * Called after the last frame (not after a failure or cancellation). The default does nothing.
     *
     * @throws IOException when the output cannot be completed
     */
    default void finish() throws IOException {
    }

    /** Releases resources; called in every case. The default does nothing. */
    @Override
    default void close() throws IOException {
    }
}
