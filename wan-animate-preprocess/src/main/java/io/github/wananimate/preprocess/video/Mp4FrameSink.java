package io.github.wananimate.preprocess.video;

import io.github.wananimate.api.FrameSink;
import io.github.wananimate.preprocess.image.RgbImage;
import io.github.wananimate.video.Frame;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A {@link FrameSink} that writes the generated frames to an H.264 mp4 as they arrive ({@link VideoWriter}: the
 * file appears only when {@link #finish()} completes, so a failed or cancelled generation leaves none) and can keep
 * one frame, e.g. for a preview.
 *
 * <pre>{@code
 * try (Mp4FrameSink sink = new Mp4FrameSink(Path.of("out.mp4"), signals.width(), signals.height(),
 *         request.outputFps())) {
 *     wan.animate(request, sink, progress -> true, new CancellationToken());
 * }
 * }</pre>
 */
public final class Mp4FrameSink implements FrameSink {

    private final Path target;
    private final int width;
    private final int height;
    private final double fps;
    private final int keptIndex;
    private VideoWriter writer;
    private Frame kept;

    /**
     * A sink that keeps no frame.
     *
     * @param target the mp4 to write (its folder is created; an existing file is replaced only when complete)
     * @param width frame width, even
     * @param height frame height, even
     * @param fps frames per second of the output
     */
    public Mp4FrameSink(Path target, int width, int height, double fps) {
        this(target, width, height, fps, -1);
    }

    /**
     * A sink that also keeps output frame {@code keptIndex} for {@link #kept()}.
     *
     * @param keptIndex the output frame to keep (−1: none)
     */
    public Mp4FrameSink(Path target, int width, int height, double fps, int keptIndex) {
        this.target = Objects.requireNonNull(target, "target");
        if (width <= 0 || height <= 0 || !(fps > 0)) {
            throw new IllegalArgumentException("mp4 " + target + ": width, height and fps must be positive, got "
                    + width + "x" + height + " at " + fps + " fps");
        }
        this.width = width;
        this.height = height;
        this.fps = fps;
        this.keptIndex = keptIndex;
    }

    @Override
    public void accept(int index, Frame frame) {
        if (writer == null) {
            writer = VideoWriter.create(target, width, height, fps);
        }
        writer.write(new RgbImage(frame.width(), frame.height(), frame.toRgbBytes()));
        if (index == keptIndex) {
            kept = frame;
        }
    }

    @Override
    public void finish() {
        if (writer != null) {
            writer.finish();
        }
    }

    @Override
    public void close() {
        if (writer != null) {
            writer.close();
        }
    }

    /** The frame asked for at construction once it has been delivered; null before, or when none was asked for. */
    public Frame kept() {
        return kept;
    }
}
