package io.github.wananimate.preprocess.mask;

import io.github.wananimate.preprocess.image.RgbImage;
import io.github.wananimate.preprocess.pose.PoseMeta;

/**
 * Segments the character in a driving frame for replacement (the original uses SAM2 with point prompts from the
 * body keypoints, PIPELINE.md §3.12). Implementations may keep state across the frames of one video.
 */
public interface MaskModel extends AutoCloseable {

    /**
     * @param frame the (resized) driving frame, RGB
     * @param pose the subject's pose on that frame
     * @return the raw character mask at the frame's size, before dilation and augmentation
     */
    BinaryMask segment(RgbImage frame, PoseMeta pose);

    @Override
    default void close() {
    }
}
