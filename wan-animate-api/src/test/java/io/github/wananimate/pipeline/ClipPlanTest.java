package io.github.wananimate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Numbers from the table of PIPELINE.md §2.4. */
class ClipPlanTest {

    @ParameterizedTest(name = "N={0} r={1} -> {2}")
    @CsvSource({"77,1,77", "78,1,153", "100,1,153", "154,1,229", "300,1,305", "10,1,77", "100,5,149", "300,5,365"})
    void validLengthMatchesTheSpecTable(int frames, int refert, int target) {
        assertThat(ClipPlan.validLength(frames, 77, refert)).isEqualTo(target);
        assertThat(ClipPlan.of(frames, 77, refert).paddedLength()).isEqualTo(target);
    }

    @Test
    void clipBoundariesMatchTheSpecTable() {
        assertThat(bounds(ClipPlan.of(77, 77, 1))).containsExactly(List.of(0, 77));
        assertThat(bounds(ClipPlan.of(78, 77, 1))).containsExactly(List.of(0, 77), List.of(76, 153));
        assertThat(bounds(ClipPlan.of(154, 77, 1))).containsExactly(List.of(0, 77), List.of(76, 153),
                List.of(152, 229));
        assertThat(bounds(ClipPlan.of(100, 77, 5))).containsExactly(List.of(0, 77), List.of(72, 149));
        ClipPlan fourClips = ClipPlan.of(300, 77, 1);
        assertThat(fourClips.clipCount()).isEqualTo(4);
        assertThat(fourClips.clips().get(3).start()).isEqualTo(3 * 76);
        ClipPlan fiveClips = ClipPlan.of(300, 77, 5);
        assertThat(fiveClips.clipCount()).isEqualTo(5);
        assertThat(fiveClips.clips().get(4).start()).isEqualTo(4 * 72);
    }

    @Test
    void tinyPipelineFixtureHasTwoClipsOfNine() {
        ClipPlan plan = ClipPlan.of(13, 9, 1);
        assertThat(plan.paddedLength()).isEqualTo(17);
        assertThat(bounds(plan)).containsExactly(List.of(0, 9), List.of(8, 17));
        assertThat(plan.clips().get(1).sourceFrames()).containsExactly(8, 9, 10, 11, 12, 11, 10, 9, 8);
        assertThat(plan.latentFrames()).isEqualTo(3);
    }

    @Test
    void pingPongReflectsWithoutRepeatingEndPoints() {
        assertThat(IntStream.range(0, 14).map(p -> ClipPlan.pingPong(p, 5)).toArray())
                .containsExactly(0, 1, 2, 3, 4, 3, 2, 1, 0, 1, 2, 3, 4, 3);
        assertThat(IntStream.range(0, 5).map(p -> ClipPlan.pingPong(p, 2)).toArray()).containsExactly(0, 1, 0, 1, 0);
        assertThat(IntStream.range(0, 4).map(p -> ClipPlan.pingPong(p, 1)).toArray()).containsExactly(0, 0, 0, 0);
    }

    @Test
    void tenFramesAreMostlyPadding() {
        ClipPlan plan = ClipPlan.of(10, 77, 1);
        ClipPlan.Clip clip = plan.clips().get(0);
        assertThat(clip.sourceFrames()).startsWith(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 8, 7);
        assertThat(clip.emittedFrames()).isEqualTo(10);
        assertThat(clip.droppedFrames()).isZero();
    }

    @ParameterizedTest(name = "N={0} L={1} r={2}")
    @CsvSource({"77,77,1", "78,77,1", "100,77,5", "300,77,1", "300,77,5", "13,9,1", "2,5,1", "1000,81,5"})
    void emittedFramesCoverTheInputExactlyOnce(int frames, int clipLength, int refert) {
        ClipPlan plan = ClipPlan.of(frames, clipLength, refert);
        int next = 0;
        for (ClipPlan.Clip clip : plan.clips()) {
            assertThat(clip.end() - clip.start()).isEqualTo(clipLength);
            assertThat(clip.conditioningFrames()).isEqualTo(clip.isFirst() ? 0 : refert);
            assertThat(clip.firstOutputFrame()).isEqualTo(next);
            assertThat(clip.emittedFrames()).isPositive();
            int[] sources = clip.sourceFrames();
            for (int j = clip.droppedFrames(); j < clip.droppedFrames() + clip.emittedFrames(); j++) {
                assertThat(sources[j]).as("output frame %d reads its own driving frame", next).isEqualTo(next);
                next++;
            }
        }
        assertThat(next).isEqualTo(frames);
    }

    @Test
    void rejectsInputsTheOriginalCannotRun() {
        assertThatThrownBy(() -> ClipPlan.of(1, 77, 1)).hasMessageContaining("frame count 1 must exceed refert_num 1");
        assertThatThrownBy(() -> ClipPlan.of(5, 77, 5)).hasMessageContaining("no clip");
        assertThatThrownBy(() -> ClipPlan.of(100, 76, 1)).hasMessageContaining("4n+1").hasMessageContaining("76");
        assertThatThrownBy(() -> ClipPlan.of(100, 5, 5)).hasMessageContaining("refert_num");
    }

    private static List<List<Integer>> bounds(ClipPlan plan) {
        return plan.clips().stream().map(c -> List.of(c.start(), c.end())).toList();
    }
}
