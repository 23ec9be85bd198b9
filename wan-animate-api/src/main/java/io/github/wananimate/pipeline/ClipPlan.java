package io.github.wananimate.pipeline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How a video of N_real driving frames is cut into clips (PIPELINE.md §2.4, §2.5, §2.12): the length is padded to
 * {@code get_valid_len} by ping-pong reflection, clips of L = 4n+1 frames step by L − r, every clip after the
 * first re-generates (and drops) its first r decoded frames, and the output is trimmed to N_real frames.
 *
 * @param frameCount N_real, the number of driving frames
 * @param clipLength L
 * @param continuationFrames r, the frames carried from one clip into the next
 * @param paddedLength {@code get_valid_len(N_real, L, r)}
 * @param clips the clips in order
 */
public record ClipPlan(int frameCount, int clipLength, int continuationFrames, int paddedLength, List<Clip> clips) {

    /**
     * One clip.
     *
     * @param index 0-based clip number
     * @param start first padded position covered (inclusive)
     * @param end last padded position covered (exclusive); {@code end − start = L}
     * @param sourceFrames for each of the L positions, the driving frame it reads (ping-pong mapped)
     * @param conditioningFrames {@code mask_reft_len}: 0 for the first clip, r afterwards; also the number of
     *     decoded frames dropped
     * @param firstOutputFrame index in the output video of the first frame this clip emits
     * @param emittedFrames how many decoded frames (after the dropped ones) go to the output; the rest fall in
     *     the padding beyond N_real
     */
    public record Clip(int index, int start, int end, int[] sourceFrames, int conditioningFrames,
            int firstOutputFrame, int emittedFrames) {

        public Clip {
            sourceFrames = sourceFrames.clone();
        }

        @Override
        public int[] sourceFrames() {
            return sourceFrames.clone();
        }

        public boolean isFirst() {
            return index == 0;
        }

        /** Decoded frames to drop at the start of this clip (they re-generate the conditioning frames). */
        public int droppedFrames() {
            return conditioningFrames;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Clip c && c.index == index && c.start == start && c.end == end
                    && Arrays.equals(c.sourceFrames, sourceFrames) && c.conditioningFrames == conditioningFrames
                    && c.firstOutputFrame == firstOutputFrame && c.emittedFrames == emittedFrames;
        }

        @Override
        public int hashCode() {
            return 31 * (31 * index + start) + Arrays.hashCode(sourceFrames);
        }

        @Override
        public String toString() {
            return "Clip{" + index + ", [" + start + ", " + end + "), drop " + conditioningFrames + ", emit "
                    + emittedFrames + " from output frame " + firstOutputFrame + "}";
        }
    }

    /**
     * The most driving frames, and the longest clip, planned: an hour at 30 fps. Far beyond any real job, low
     * enough that every index and padded length stays well inside {@code int}.
     */
    public static final int MAX_FRAMES = 108_000;

    public ClipPlan {
        clips = List.copyOf(clips);
    }

    /**
     * Plans the clips.
     *
     * @throws IllegalArgumentException naming the value when L is not 4n+1 (n ≥ 1), r is not below L, or
     *     N_real ≤ r (the original then generates no clip and crashes), or the plan would exceed
     *     {@link #MAX_FRAMES} frames
     */
    public static ClipPlan of(int frameCount, int clipLength, int continuationFrames) {
        if (clipLength < 5 || clipLength % 4 != 1) {
            throw new IllegalArgumentException("clip length must be 4n+1 with n >= 1, got " + clipLength);
        }
        if (continuationFrames < 0 || continuationFrames >= clipLength) {
            throw new IllegalArgumentException("refert_num must be in [0, " + clipLength + "), got " + continuationFrames);
        }
        if (frameCount <= continuationFrames) {
            throw new IllegalArgumentException("frame count " + frameCount + " must exceed refert_num " + continuationFrames
                    + ": no clip would be generated");
        }
        if (frameCount > MAX_FRAMES || clipLength > MAX_FRAMES) {
            throw new IllegalArgumentException("frame count " + frameCount + " and clip length " + clipLength
                    + " must be at most " + MAX_FRAMES);
        }
        int target = validLength(frameCount, clipLength, continuationFrames);
        int step = clipLength - continuationFrames;
        List<Clip> clips = new ArrayList<>();
        for (int start = 0, end = clipLength; start + continuationFrames < target; start += step, end += step) {
            int index = clips.size();
            int[] sources = new int[clipLength];
            for (int j = 0; j < clipLength; j++) {
                sources[j] = pingPong(start + j, frameCount);
            }
            int conditioning = index == 0 ? 0 : continuationFrames;
            int firstOutput = start + conditioning;
            int emitted = Math.max(0, Math.min(end, frameCount) - firstOutput);
            clips.add(new Clip(index, start, end, sources, conditioning, firstOutput, emitted));
        }
        return new ClipPlan(frameCount, clipLength, continuationFrames, target, clips);
    }

    /**
     * {@code get_valid_len}: the smallest r + k·(L − r) ≥ N_real, i.e. N_real + (0 if m = 0 else step − m) with
     * m = (N_real − r) floor-mod step.
     */
    public static int validLength(int frameCount, int clipLength, int continuationFrames) {
        int step = clipLength - continuationFrames;
        int m = Math.floorMod(frameCount - continuationFrames, step);
        return frameCount + (m == 0 ? 0 : step - m);
    }

    /**
     * The driving frame read at padded position {@code position} by {@code inputs_padding}: 0, 1, …, n−1, n−2, …,
     * 1, 0, 1, … without repeating the end points. For n = 1 the single frame repeats (the original crashes).
     */
    public static int pingPong(int position, int n) {
        if (n < 1 || position < 0) {
            throw new IllegalArgumentException("ping-pong position " + position + " over " + n + " frames");
        }
        if (n == 1) {
            return 0;
        }
        int period = 2 * (n - 1);
        int q = position % period;
        return q < n ? q : period - q;
    }

    /** Number of clips. */
    public int clipCount() {
        return clips.size();
    }

    /** Latent frames per clip, L div 4 + 1 (without the reference slot). */
    public int latentFrames() {
        return clipLength / 4 + 1;
    }
}
