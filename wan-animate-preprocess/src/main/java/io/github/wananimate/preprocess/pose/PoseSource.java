package io.github.wananimate.preprocess.pose;

import io.github.wananimate.preprocess.image.RgbImage;
import java.util.Iterator;

/** Where the poses of a video's frames come from: the models ({@link PoseExtractor}) or stored keypoints. */
@FunctionalInterface
public interface PoseSource {

    /** The poses of the next frame (frames come in order). */
    PoseFrame next(RgbImage frame);

    /** Models: detection, subject choice and pose estimation. */
    static PoseSource of(PoseExtractor extractor) {
        return extractor::next;
    }

    /**
     * Stored keypoints, e.g. an edited {@link PoseSequence}; each is rescaled to the frame it is paired with.
     *
     * @throws IllegalStateException when the video has more frames than the sequence
     */
    static PoseSource of(PoseSequence sequence) {
        Iterator<PoseFrame> it = sequence.frames().iterator();
        return frame -> {
            if (!it.hasNext()) {
                throw new IllegalStateException("the pose sequence has only " + sequence.size() + " frames");
            }
            PoseFrame f = it.next();
            return f.width() == frame.width() && f.height() == frame.height() ? f
                    : f.rescaled(frame.width(), frame.height());
        };
    }
}
