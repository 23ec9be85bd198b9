package io.github.wananimate.video;

import java.util.List;

/** {@link FrameSequence} over an immutable list of frames of one size. */
final class FrameList implements FrameSequence {

    private final List<Frame> frames;

    FrameList(List<Frame> frames) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("a frame sequence needs at least one frame, got none");
        }
        this.frames = List.copyOf(frames);
        Frame first = this.frames.get(0);
        for (int i = 1; i < this.frames.size(); i++) {
            Frame f = this.frames.get(i);
            if (f.width() != first.width() || f.height() != first.height()) {
                throw new IllegalArgumentException("frame " + i + " is " + f.width() + "x" + f.height()
                        + " but frame 0 is " + first.width() + "x" + first.height());
            }
        }
    }

    @Override
    public int size() {
        return frames.size();
    }

    @Override
    public int width() {
        return frames.get(0).width();
    }

    @Override
    public int height() {
        return frames.get(0).height();
    }

    @Override
    public Frame get(int index) {
        if (index < 0 || index >= frames.size()) {
            throw new IndexOutOfBoundsException("frame " + index + " of a sequence of " + frames.size());
        }
        return frames.get(index);
    }
}
