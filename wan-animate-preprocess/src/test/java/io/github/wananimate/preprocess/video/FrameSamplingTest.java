package io.github.wananimate.preprocess.video;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FrameSamplingTest {

    @Test
    void resampling25To30DuplicatesNearestFramesWithHalfToEven() {
        int[] idx = IntStream.range(0, 12).map(k -> FrameSampling.sourceIndex(k, 25, 30, 100)).toArray();
        // PIPELINE.md §3.2: 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 8, …  (k=3: 2.5 rounds to 2; k=9: 7.5 rounds to 8)
        assertThat(idx).containsExactly(0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 8, 9);
    }

    @Test
    void keepingNtscFpsLosesAFrameAsTheOriginalDoes() {
        double ntsc = 24000.0 / 1001.0;
        assertThat(FrameSampling.targetFrameCount(27, ntsc, FrameSampling.targetFps(-1, ntsc))).isEqualTo(26);
        assertThat(FrameSampling.targetFrameCount(100, 25, 30)).isEqualTo(120);
        assertThat(FrameSampling.targetFrameCount(100, 30, 25)).isEqualTo(83);
    }

    @Test
    void indicesAreClippedToTheLastFrame() {
        assertThat(FrameSampling.sourceIndex(119, 25, 30, 99)).isEqualTo(98);
        assertThat(FrameSampling.sourceIndex(0, 25, 30, 99)).isZero();
    }

    @Test
    void frameCountIsReplacedOnlyWhenItDiffersByMoreThanTenPercent() {
        assertThat(FrameSampling.correctedFrameCount(100, 4.0, 25)).isEqualTo(100);
        assertThat(FrameSampling.correctedFrameCount(100, 4.4, 25)).isEqualTo(100); // 110 vs 100: exactly 10 %
        assertThat(FrameSampling.correctedFrameCount(100, 4.5, 25)).isEqualTo(113); // int(112.5 + 0.5)
    }
}
