package io.github.wananimate.samples;

import io.github.wananimate.api.Frame;
import io.github.wananimate.api.FrameSink;
import io.github.wananimate.preprocess.image.RgbImage;
import io.github.wananimate.preprocess.video.VideoWriter;
import java.nio.file.Path;

/**
 * Writes the generated frames to an H.264 mp4 as they arrive (the file appears only when complete) and keeps the
 * one frame the preview sheet shows.
 */
public final class Mp4FrameSink implements FrameSink {

    private final Path target;
    private final int width;
    private final int height;
    private final double fps;
    private final int keptIndex;
    private VideoWriter writer;
    private Frame kept;

    /** @param keptIndex the output frame to keep for {@link #kept()} (−1: none) */
    public Mp4FrameSink(Path target, int width, int height, double fps, int keptIndex) {
        this.target = target;
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

    /** The frame asked for at construction, once it has been delivered. */
    public Frame kept() {
        return kept;
    }
}
