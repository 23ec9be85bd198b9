package io.github.wananimate.api;

import java.time.Duration;

/**
 * What a finished generation produced (the frames themselves went to the {@link FrameSink}).
 *
 * @param frameCount frames delivered (the input's frame count)
 * @param width frame width
 * @param height frame height
 * @param fps the frame rate the output is meant to play at
 * @param clipCount clips generated
 * @param seed the seed actually used (resolved when the request asked for a random one)
 * @param elapsed wall time of the whole generation
 */
public record GenerationResult(int frameCount, int width, int height, double fps, int clipCount, long seed,
        Duration elapsed) {
}
