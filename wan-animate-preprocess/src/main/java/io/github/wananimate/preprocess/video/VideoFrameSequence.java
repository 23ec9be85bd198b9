package io.github.wananimate.preprocess.video;

import io.github.wananimate.preprocess.image.Frames;
import io.github.wananimate.video.Frame;
import io.github.wananimate.video.FrameSequence;
import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A video file as a {@link FrameSequence}, decoded lazily: frames are decoded in order as they are asked for, the
 * last {@code window} frames are kept, and asking for an earlier frame re-opens the file and decodes forward
 * again. Reading clip by clip with a small overlap (as the pipeline does) decodes every frame about once and
 * holds only the window. The decoder is released at the last frame, by {@link #close()}, or when the sequence
 * becomes unreachable.
 */
public final class VideoFrameSequence implements FrameSequence, AutoCloseable {

    private static final Cleaner CLEANER = Cleaner.create();

    private final Path file;
    private final int size;
    private final int width;
    private final int height;
    private final int window;
    private final Deque<Frame> recent = new ArrayDeque<>();
    private final State state = new State();
    private final Cleaner.Cleanable cleanable;
    /** Index of the newest frame in {@code recent}, −1 when empty. */
    private int newest = -1;

    /** Holds the open reader; the cleaner closes it (it must not refer back to the sequence). */
    private static final class State implements Runnable {
        VideoReader reader;

        @Override
        public void run() {
            if (reader != null) {
                reader.close();
                reader = null;
            }
        }
    }

    private VideoFrameSequence(Path file, VideoInfo info, int window) {
        this.file = file;
        this.size = info.packetCount();
        this.width = info.width();
        this.height = info.height();
        this.window = window;
        this.cleanable = CLEANER.register(this, state);
    }

    /**
     * Every frame of the video (no resampling), keeping the last {@code window} decoded frames.
     *
     * @throws VideoException naming the file when it cannot be opened
     */
    public static VideoFrameSequence open(Path file, int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1, got " + window);
        }
        return new VideoFrameSequence(file, VideoReader.probe(file), window);
    }

    /** With a window of 8 frames. */
    public static VideoFrameSequence open(Path file) {
        return open(file, 8);
    }

    public Path file() {
        return file;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    @Override
    public synchronized Frame get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("frame " + index + " of " + file + " (" + size + " frames)");
        }
        int oldest = newest - recent.size() + 1;
        if (index >= oldest && index <= newest) {
            return nth(index - oldest);
        }
        if (index < oldest || state.reader == null) {
            state.run();
            recent.clear();
            newest = -1;
            state.reader = VideoReader.openAllFrames(file);
        }
        Frame frame = null;
        while (newest < index) {
            frame = Frames.toFrame(state.reader.next());
            newest++;
            recent.addLast(frame);
            if (recent.size() > window) {
                recent.removeFirst();
            }
        }
        if (newest == size - 1) {
            state.run();
        }
        return frame;
    }

    private Frame nth(int k) {
        int i = 0;
        for (Frame f : recent) {
            if (i++ == k) {
                return f;
            }
        }
        throw new IllegalStateException("window index " + k);
    }

    @Override
    public synchronized void close() {
        recent.clear();
        cleanable.clean();
    }
}
