package io.github.wananimate.preprocess.video;

/**
 * The original's frame-count correction and fps resampling (PIPELINE.md §3.2), as plain arithmetic so that it
 * can be checked without a video.
 */
public final class FrameSampling {

    private FrameSampling() {
    }

    /**
     * Step 1–3: the decoded frame count, replaced by int(duration·avgFps + 0.5) when the two differ by more than
     * 10 % of the decoded count.
     */
    public static int correctedFrameCount(int decodedFrames, double durationSeconds, double avgFps) {
        int expected = (int) (durationSeconds * avgFps + 0.5);
        double ratio = Math.abs((double) (decodedFrames - expected) / decodedFrames);
        return ratio > 0.1 ? expected : decodedFrames;
    }

    /** Step 4: fps −1 (any value ≤ 0 here) keeps the source's average fps. */
    public static double targetFps(double requestedFps, double avgFps) {
        return requestedFps <= 0 ? avgFps : requestedFps;
    }

    /**
     * Step 5: int(frameCount / avgFps · fps). With fps = avgFps at NTSC rates this can lose a frame, as the
     * original does (27 frames at 24000/1001 give 26).
     */
    public static int targetFrameCount(int frameCount, double avgFps, double fps) {
        return (int) (frameCount / avgFps * fps);
    }

    /** Step 6: rint((k / fps)·avgFps), half to even, clipped to [0, frameCount − 1]. */
    public static int sourceIndex(int k, double avgFps, double fps, int frameCount) {
        double index = Math.rint((k / fps) * avgFps);
        return (int) Math.max(0, Math.min(frameCount - 1, index));
    }
}
