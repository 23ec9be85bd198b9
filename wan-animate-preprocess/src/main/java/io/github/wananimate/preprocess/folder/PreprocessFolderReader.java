package io.github.wananimate.preprocess.folder;

import io.github.wananimate.api.MotionSignals;
import io.github.wananimate.api.MotionSignalsReader;
import io.github.wananimate.preprocess.image.Frames;
import io.github.wananimate.preprocess.image.ImageFiles;
import io.github.wananimate.preprocess.video.VideoException;
import io.github.wananimate.preprocess.video.VideoFrameSequence;
import io.github.wananimate.preprocess.video.VideoReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads an official preprocessing folder (written by the Python tools or by {@link PreprocessFolderWriter}) as
 * {@link MotionSignals}. The videos are decoded lazily ({@link VideoFrameSequence}); the fps is the pose video's.
 * The reference goes through OpenCV's {@code imread} like the original, so JPEG bytes under the PNG name work.
 */
public final class PreprocessFolderReader implements MotionSignalsReader {

    private final int window;

    public PreprocessFolderReader() {
        this(8);
    }

    /** @param window frames each video keeps decoded (see {@link VideoFrameSequence}) */
    public PreprocessFolderReader(int window) {
        this.window = window;
    }

    @Override
    public MotionSignals read(Path folder) throws IOException {
        Path pose = require(folder, PreprocessFolder.POSE);
        Path face = require(folder, PreprocessFolder.FACE);
        Path ref = require(folder, PreprocessFolder.REFERENCE);
        Path bg = folder.resolve(PreprocessFolder.BACKGROUND);
        Path mask = folder.resolve(PreprocessFolder.MASK);
        if (Files.exists(bg) != Files.exists(mask)) {
            throw new IOException(folder + ": " + (Files.exists(bg) ? PreprocessFolder.MASK : PreprocessFolder.BACKGROUND)
                    + " is missing (replacement needs both " + PreprocessFolder.BACKGROUND + " and "
                    + PreprocessFolder.MASK + ")");
        }
        try {
            MotionSignals.Builder b = MotionSignals.builder()
                    .pose(VideoFrameSequence.open(pose, window))
                    .face(VideoFrameSequence.open(face, window))
                    .reference(Frames.toFrame(ImageFiles.read(ref)))
                    .fps(VideoReader.probe(pose).averageFps());
            if (Files.exists(bg)) {
                b.background(VideoFrameSequence.open(bg, window)).mask(VideoFrameSequence.open(mask, window));
            }
            return b.build();
        } catch (VideoException e) {
            throw new IOException(e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static Path require(Path folder, String name) throws IOException {
        Path p = folder.resolve(name);
        if (!Files.isRegularFile(p)) {
            throw new IOException(folder + ": " + name + " is missing");
        }
        return p;
    }
}
