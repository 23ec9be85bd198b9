package io.github.wananimate.api;

import java.time.Duration;
import java.util.Optional;

/**
 * Where a generation stands. Work is counted in denoising steps: {@code completedSteps} of {@code totalSteps}
 * over all clips (each clip runs the same number of steps).
 *
 * @param stage what is running now
 * @param clip the clip being worked on (0-based)
 * @param clipCount number of clips
 * @param step denoising steps finished in this clip
 * @param stepsPerClip denoising steps per clip
 * @param elapsed time since the generation started
 * @param remaining estimated time left; empty until a step has been timed
 */
public record Progress(Stage stage, int clip, int clipCount, int step, int stepsPerClip, Duration elapsed,
        Optional<Duration> remaining) {

    /** The phases of a generation. */
    public enum Stage {
        /** Text, CLIP and reference encodings, done once. */
        PREPARING,
        /** VAE encoding of the clip's pose and conditioning frames. */
        ENCODING_CLIP,
        /** The sampler loop of a clip. */
        DENOISING,
        /** VAE decoding of a clip and handing its frames to the sink. */
        DECODING,
        /** Every frame has been delivered. */
        FINISHED
    }

    /**
     * Checks that the clip and step are within their counts.
     *
     * @param stage what is running now
     * @param clip the clip being worked on (0-based)
     * @param clipCount number of clips
     * @param step denoising steps finished in this clip
     * @param stepsPerClip denoising steps per clip
     * @param elapsed time since the generation started
     * @param remaining estimated time left; empty until a step has been timed
     * @throws IllegalArgumentException naming the clip or step out of range
     */
    public Progress {
        if (clipCount < 1 || clip < 0 || clip >= clipCount) {
            throw new IllegalArgumentException("clip " + clip + " of " + clipCount);
        }
        if (stepsPerClip < 1 || step < 0 || step > stepsPerClip) {
            throw new IllegalArgumentException("step " + step + " of " + stepsPerClip);
        }
    }

    /** {@return denoising steps finished over all clips} */
    public int completedSteps() {
        return clip * stepsPerClip + step;
    }

    /** {@return denoising steps of the whole generation} */
    public int totalSteps() {
        return clipCount * stepsPerClip;
    }

    /** {@return completed fraction in [0, 1]} */
    public double fraction() {
        return stage == Stage.FINISHED ? 1.0 : (double) completedSteps() / totalSteps();
    }
}
