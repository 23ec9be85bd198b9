package io.github.wananimate.preprocess.pose;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Keypoints of a whole video as data: lossless, versioned, editable, re-renderable at any resolution. The file
 * format is described in {@link PoseSequenceWriter}; large sequences can be streamed with
 * {@link PoseSequenceWriter} and {@link PoseSequenceReader} instead of being held here.
 *
 * @param fps frame rate of the sequence
 * @param frames one entry per frame
 */
public record PoseSequence(double fps, List<PoseFrame> frames) {

    public PoseSequence {
        frames = List.copyOf(frames);
    }

    public int size() {
        return frames.size();
    }

    public PoseFrame frame(int i) {
        return frames.get(i);
    }

    /** A copy with frame {@code i} replaced (editing). */
    public PoseSequence withFrame(int i, PoseFrame frame) {
        List<PoseFrame> copy = new ArrayList<>(frames);
        copy.set(i, frame);
        return new PoseSequence(fps, copy);
    }

    /** Every frame's coordinates scaled to a new frame size. */
    public PoseSequence rescaled(int width, int height) {
        return new PoseSequence(fps, frames.stream().map(f -> f.rescaled(width, height)).toList());
    }

    /**
     * The original's per-frame metas of the followed person (with its "reuse the previous body" rule). Frames
     * without a subject get a pose of all-zero scores, which draws nothing.
     */
    public List<PoseMeta> subjectMetas() {
        List<PoseMeta> metas = new ArrayList<>(frames.size());
        PoseMeta previous = null;
        for (PoseFrame f : frames) {
            Person p = f.subjectPerson();
            WholeBody kp = p != null ? p.keypoints() : new WholeBody(new float[WholeBody.POINTS * 3]);
            previous = PoseMeta.of(kp, f.width(), f.height(), previous);
            metas.add(previous);
        }
        return metas;
    }

    public void write(Path file) throws IOException {
        try (PoseSequenceWriter writer = PoseSequenceWriter.create(file, fps)) {
            for (PoseFrame f : frames) {
                writer.write(f);
            }
            writer.finish();
        }
    }

    public static PoseSequence read(Path file) throws IOException {
        try (PoseSequenceReader reader = PoseSequenceReader.open(file)) {
            List<PoseFrame> frames = new ArrayList<>(reader.frameCount());
            while (reader.hasNext()) {
                frames.add(reader.next());
            }
            return new PoseSequence(reader.fps(), frames);
        }
    }
}
