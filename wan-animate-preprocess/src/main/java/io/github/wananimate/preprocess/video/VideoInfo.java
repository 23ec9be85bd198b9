package io.github.wananimate.preprocess.video;

/**
 * What a video container says about its first video stream, measured the way decord does it for the
 * original (PIPELINE.md §3.2).
 *
 * @param width frame width in pixels
 * @param height frame height in pixels
 * @param averageFps the stream's average frame rate (decord's {@code get_avg_fps()})
 * @param packetCount the number of video packets (decord's {@code len(reader)})
 * @param durationSeconds the end timestamp of the last frame (pts + duration of the last packet)
 * @param hasAudio whether the container has an audio stream
 */
public record VideoInfo(int width, int height, double averageFps, int packetCount, double durationSeconds,
        boolean hasAudio) {

    /** The frame count after the original's 10 % correction. */
    public int frameCount() {
        return FrameSampling.correctedFrameCount(packetCount, durationSeconds, averageFps);
    }
}
