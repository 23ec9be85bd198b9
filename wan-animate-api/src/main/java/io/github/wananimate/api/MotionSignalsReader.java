package io.github.wananimate.api;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads {@link MotionSignals} from the official preprocessing output folder ({@code src_pose.mp4},
 * {@code src_face.mp4}, {@code src_ref.png}, and for replacement {@code src_bg.mp4} and {@code src_mask.mp4};
 * PIPELINE.md §2.1). Implemented where video decoding is available (module {@code wan-animate-preprocess}).
 */
@FunctionalInterface
public interface MotionSignalsReader {

    /**
     * Reads a folder.
     *
     * @param folder the preprocessing output folder
     * @return the signals, decoded lazily where the implementation can
     * @throws IOException naming the file that is missing or cannot be decoded
     */
    MotionSignals read(Path folder) throws IOException;
}
