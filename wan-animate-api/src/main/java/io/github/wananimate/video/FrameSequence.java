package io.github.wananimate.video;

import java.util.List;

/**
 * A finite sequence of equally sized frames, read by index. Implementations may decode lazily (a video file), so
 * the pipeline asks only for the frames of the clip it is working on.
 */
public interface FrameSequence {

    /** {@return the number of frames} */
    int size();

    /** {@return the width shared by every frame} */
    int width();

    /** {@return the height shared by every frame} */
    int height();

    /**
     * One frame.
     *
     * @param index 0-based
     * @return frame {@code index}
     * @throws IndexOutOfBoundsException naming the index and the size
     */
    Frame get(int index);

    /**
     * A sequence over frames held in memory.
     *
     * @param frames the frames, in order
     * @return the sequence
     * @throws IllegalArgumentException when the list is empty or a frame's size differs from frame 0's (naming the
     *     frame)
     */
    static FrameSequence of(List<Frame> frames) {
        return new FrameList(frames);
    }

    /**
     * A sequence over frames held in memory.
     *
     * @param frames the frames, in order, all of one size
     * @return the sequence
     */
    static FrameSequence of(Frame... frames) {
        return new FrameList(List.of(frames));
    }
}
