package io.github.wananimate.pipeline;

import io.github.wananimate.video.Frame;
import io.github.wananimate.video.FrameSequence;
import java.util.Objects;

/**
 * One generation as the pipeline runs it: the driving signals and the sampling settings, already validated by the
 * request that made them ({@code api.GenerationRequest}).
 *
 * @param reference the character image
 * @param pose the pose frames; their count and size are the output's
 * @param face the 512×512 face crops, one per pose frame
 * @param background the background frames (replacement only, else null)
 * @param mask the person masks (replacement only, else null)
 * @param replacement whether the character replaces the driving person (PIPELINE.md §2.8)
 * @param clipLength frames per clip, 4k+1
 * @param continuationFrames frames each clip after the first takes from the previous one (the original's
 *     {@code refert_num}, 1 or 5)
 * @param solver the sampler's official name ({@code dpm++}, {@code unipc}, {@code euler})
 * @param steps denoising steps per clip
 * @param shift the flow schedule's shift
 * @param guideScale classifier-free guidance scale; at or below 1 no unconditional pass runs
 */
public record Job(Frame reference, FrameSequence pose, FrameSequence face, FrameSequence background,
        FrameSequence mask, boolean replacement, int clipLength, int continuationFrames, String solver, int steps,
        double shift, double guideScale) {

    public Job {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(pose, "pose");
        Objects.requireNonNull(face, "face");
        Objects.requireNonNull(solver, "solver");
        if (replacement && (background == null || mask == null)) {
            throw new IllegalArgumentException("replacement needs the mask and background signals");
        }
    }

    public int frameCount() {
        return pose.size();
    }

    public int width() {
        return pose.width();
    }

    public int height() {
        return pose.height();
    }

    public boolean guided() {
        return Guidance.enabled(guideScale);
    }
}
