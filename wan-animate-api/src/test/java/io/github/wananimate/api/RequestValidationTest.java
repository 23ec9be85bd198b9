package io.github.wananimate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.list;

import io.github.wananimate.video.Frame;
import io.github.wananimate.video.FrameSequence;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequestValidationTest {

    private static List<Frame> frames(int count, int width, int height) {
        return Collections.nCopies(count, Frame.black(width, height));
    }

    private static MotionSignals animationSignals(int count, int width, int height) {
        return MotionSignals.builder().pose(frames(count, width, height)).face(frames(count, 512, 512))
                .reference(Frame.black(100, 200)).build();
    }

    private static MotionSignals replacementSignals(int count) {
        return MotionSignals.builder().pose(frames(count, 64, 48)).face(frames(count, 512, 512))
                .mask(frames(count, 64, 48)).background(frames(count, 64, 48)).reference(Frame.black(64, 48))
                .fps(24).build();
    }

    @Test
    void defaultsAreThoseOfGenerate() {
        AnimationRequest r = AnimationRequest.builder(animationSignals(10, 64, 48)).build();
        assertThat(r.clipLength()).isEqualTo(77);
        assertThat(r.continuationFrames()).isEqualTo(1);
        assertThat(r.steps()).isEqualTo(20);
        assertThat(r.shift()).isEqualTo(5.0);
        assertThat(r.guideScale()).isEqualTo(1.0);
        assertThat(r.usesGuidance()).isFalse();
        assertThat(r.solver()).isEqualTo(Solver.DPM_PP);
        assertThat(r.seed()).isEqualTo(-1);
        assertThat(r.outputFps()).as("the driving signals' fps").isEqualTo(r.signals().fps());
        assertThat(ReplacementRequest.builder(replacementSignals(10)).build().outputFps()).isEqualTo(24.0);
        assertThat(r.prompt()).isEqualTo("视频中的人在做动作");
        assertThat(r.negativePrompt()).startsWith("色调艳丽，过曝").endsWith("倒着走");
        assertThat(r.isReplacement()).isFalse();
        assertThat(r.frameCount()).isEqualTo(10);
    }

    @Test
    void fluentSettingsAreKept() {
        ReplacementRequest r = ReplacementRequest.builder(replacementSignals(30)).prompt("a dancer")
                .negativePrompt("blur").clipLength(13).continuationFrames(5).steps(4).shift(3).guideScale(2.5)
                .solver(" UniPC").seed(7).outputFps(24).relightingLora(true).build();
        assertThat(r.prompt()).isEqualTo("a dancer");
        assertThat(r.negativePrompt()).isEqualTo("blur");
        assertThat(r.clipLength()).isEqualTo(13);
        assertThat(r.continuationFrames()).isEqualTo(5);
        assertThat(r.solver()).isEqualTo(Solver.UNIPC);
        assertThat(r.usesGuidance()).isTrue();
        assertThat(r.relightingLora()).isTrue();
        assertThat(r.relightingLoraStrength()).isEqualTo(1.0);
        assertThat(r.isReplacement()).isTrue();
        assertThat(r.signals().fps()).isEqualTo(24);
    }

    @Test
    void everyBadFieldIsNamedWithItsValue() {
        AnimationRequest.Builder b = AnimationRequest.builder(animationSignals(3, 72, 40)).clipLength(76)
                .continuationFrames(77).steps(0).shift(0).guideScale(0.5).solver("ddim").seed(-5).outputFps(Double.NaN);
        assertThatThrownBy(b::build).isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("animation request is invalid: ")
                .hasMessageContaining("width = 72: the generation width (the pose frame width) must be a multiple of 16")
                .hasMessageContaining("height = 40:")
                .hasMessageContaining("continuationFrames = 77: must be 1 or 5")
                .hasMessageContaining("clipLength = 76: must be 4n+1")
                .hasMessageContaining("frameCount = 3: needs more driving frames than continuationFrames (77)")
                .hasMessageContaining("steps = 0: must be in 1..1000")
                .hasMessageContaining("shift = 0.0: must be a finite number > 0")
                .hasMessageContaining("guideScale = 0.5: must be a finite number >= 1")
                .hasMessageContaining("solver = ddim: must be one of [dpm++, unipc, euler]")
                .hasMessageContaining("seed = -5:")
                .hasMessageContaining("outputFps = NaN:")
                .extracting(e -> ((InvalidRequestException) e).problems(), list(InvalidRequestException.Problem.class))
                .extracting(InvalidRequestException.Problem::field)
                .containsExactly("width", "height", "continuationFrames", "clipLength", "clipLength", "frameCount", "steps",
                        "shift", "guideScale", "solver", "seed", "outputFps");
    }

    @Test
    void clipLengthMustStepForward() {
        assertThatThrownBy(() -> AnimationRequest.builder(animationSignals(40, 64, 48)).continuationFrames(5).clipLength(5)
                .build()).hasMessageContaining("clipLength = 5: must be greater than continuationFrames (5)");
        // L = 9 < 2·5 + 1: the original runs it for two clips; later clips carry the last 5 frames generated
        assertThat(AnimationRequest.builder(animationSignals(40, 64, 48)).continuationFrames(5).clipLength(9).build()
                .clipLength()).isEqualTo(9);
    }

    @Test
    void hugeCountsAndSizesAreRefusedAtBuild() {
        assertThatThrownBy(() -> AnimationRequest.builder(animationSignals(6, 64, 48)).clipLength(2147483645)
                .steps(2_000_000_000).build()).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("clipLength = 2147483645: must be at most " + GenerationRequest.MAX_CLIP_LENGTH)
                .hasMessageContaining("steps = 2000000000: must be in 1..1000");
    }

    @Test
    void tooFewFramesForTheCarriedFramesAreRejected() {
        assertThatThrownBy(() -> AnimationRequest.builder(animationSignals(1, 64, 48)).build())
                .hasMessageContaining("frameCount = 1: needs more driving frames than continuationFrames (1)");
    }

    @Test
    void replacementNeedsMaskAndBackground() {
        assertThatThrownBy(() -> ReplacementRequest.builder(animationSignals(10, 64, 48)).build())
                .isInstanceOf(InvalidRequestException.class)
                .hasMessageStartingWith("replacement request is invalid")
                .hasMessageContaining("mask = absent: replacement needs the character mask frames")
                .hasMessageContaining("background = absent: replacement needs the background frames");
    }

    @Test
    void relightingLoraStrengthMustBeAFiniteNonNegativeNumber() {
        assertThatThrownBy(() -> ReplacementRequest.builder(replacementSignals(10)).relightingLora(true)
                .relightingLoraStrength(-0.5).build()).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("relightingLoraStrength = -0.5: must be a finite number >= 0");
        assertThatThrownBy(() -> ReplacementRequest.builder(replacementSignals(10)).relightingLora(true)
                .relightingLoraStrength(Double.NaN).build())
                .hasMessageContaining("relightingLoraStrength = NaN: must be a finite number >= 0");
        assertThat(ReplacementRequest.builder(replacementSignals(10)).relightingLora(true).relightingLoraStrength(0)
                .build().relightingLoraStrength()).isZero();
    }

    @Test
    void signalsMustAgreeOnFrameCountsAndSizes() {
        MotionSignals.Builder b = MotionSignals.builder().pose(frames(10, 64, 48)).face(frames(9, 256, 256))
                .mask(frames(10, 32, 48)).background(frames(11, 64, 48)).fps(0);
        assertThatThrownBy(b::build).isInstanceOf(InvalidRequestException.class)
                .hasMessageContaining("reference = null: the reference image is required")
                .hasMessageContaining("fps = 0.0: must be a finite number > 0")
                .hasMessageContaining("face = 256x256: face crops must be 512x512")
                .hasMessageContaining("face = 9 frames: must have as many frames as pose (10)")
                .hasMessageContaining("mask = 32x48: must have the pose size 64x48")
                .hasMessageContaining("background = 11 frames: must have as many frames as pose (10)");
        assertThatThrownBy(() -> MotionSignals.builder().pose(frames(2, 64, 48)).face(frames(2, 512, 512))
                .mask(frames(2, 64, 48)).reference(Frame.black(4, 4)).build())
                .hasMessageContaining("mask and background go together");
        assertThatThrownBy(() -> MotionSignals.builder().build()).hasMessageContaining("pose = null")
                .hasMessageContaining("face = null");
    }

    @Test
    void framesAndSequencesCheckTheirSizes() {
        assertThatThrownBy(() -> Frame.ofRgb(2, 2, new byte[11])).hasMessageContaining("2x2 RGB frame needs 12 bytes, got 11");
        assertThatThrownBy(() -> Frame.black(0, 5)).hasMessageContaining("0x5");
        assertThatThrownBy(() -> FrameSequence.of(Frame.black(4, 4), Frame.black(4, 4), Frame.black(4, 2)))
                .hasMessageContaining("frame 2 is 4x2 but frame 0 is 4x4");
        assertThatThrownBy(() -> FrameSequence.of(List.of())).hasMessageContaining("at least one frame");
        assertThatThrownBy(() -> FrameSequence.of(Frame.black(1, 1)).get(3)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("frame 3 of a sequence of 1");
        byte[] rgb = {1, 2, 3};
        Frame f = Frame.ofRgb(1, 1, rgb);
        rgb[0] = 9;
        assertThat(f.sample(0, 0, 0)).as("frames copy their input").isEqualTo(1);
    }
}
