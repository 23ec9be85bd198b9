package io.github.wananimate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.wananimate.nn.Precision;
import io.github.wananimate.procedural.Procedural;
import io.github.wananimate.procedural.ProceduralNoiseSource;
import io.github.wananimate.sampling.GaussianNoiseSource;
import io.github.wananimate.sampling.NoiseSource;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.video.Frame;
import io.github.wananimate.video.FrameSequence;
import org.junit.jupiter.api.Test;

/** Pixel conversion, geometry, guidance, noise, clip output and progress. */
class HostPiecesTest {

    @Test
    void geometryOfTheDefaultSizes() {
        LatentGeometry hd = new LatentGeometry(720, 1280, 77);
        assertThat(hd.latentFrames()).isEqualTo(20);
        assertThat(hd.noiseShape()).containsExactly(16, 21, 90, 160);
        assertThat(hd.conditionShape()).containsExactly(20, 21, 90, 160);
        assertThat(hd.maxSequenceLength()).isEqualTo(75_600);
        assertThat(new LatentGeometry(480, 832, 77).maxSequenceLength()).isEqualTo(32_760);
        assertThatThrownBy(() -> new LatentGeometry(720, 1000, 77)).hasMessageContaining("width")
                .hasMessageContaining("1000");
    }

    @Test
    void pixelSpaceIsU8Over127Point5MinusOne() {
        assertThat(PixelVideo.toPixel(0, Precision.FP32)).isEqualTo(-1f);
        assertThat(PixelVideo.toPixel(255, Precision.FP32)).isEqualTo(1f);
        assertThat(PixelVideo.toPixel(128, Precision.FP32)).isEqualTo((float) (128 / 127.5 - 1));
        assertThat(PixelVideo.toPixel(128, Precision.BF16)).isEqualTo(0.00393676758f);
    }

    @Test
    void framesBecomeChannelFirstVideos() {
        Frame a = Frame.ofRgb(2, 1, new byte[] {0, (byte) 255, 0, 0, 0, (byte) 255});
        Frame b = Frame.filled(2, 1, 255);
        HostTensor v = PixelVideo.fromFrames(FrameSequence.of(a, b), new int[] {1, 0, 0}, Precision.FP32);
        assertThat(v.shape()).containsExactly(3, 3, 1, 2);
        // channel R: frames b, a, a → [1, 1], [-1, -1], [-1, -1]; channel G: [1, 1], [1, -1], [1, -1]
        assertThat(v.toFloatArray()).containsExactly(1, 1, -1, -1, -1, -1, 1, 1, 1, -1, 1, -1, 1, 1, -1, 1, -1, 1);
        float[] mask = PixelVideo.maskFromFrames(FrameSequence.of(a), new int[] {0}, Precision.FP32);
        assertThat(mask).containsExactly(0f, 0f);
    }

    @Test
    void savingTruncatesInsteadOfRounding() {
        assertThat(PixelVideo.toU8(0f)).isEqualTo(127);
        assertThat(PixelVideo.toU8(1f)).isEqualTo(255);
        assertThat(PixelVideo.toU8(2f)).isEqualTo(255);
        assertThat(PixelVideo.toU8(-3f)).isZero();
        assertThat(PixelVideo.toU8(0.999f)).isEqualTo(254);
        HostTensor video = HostTensor.ofFloats(new long[] {3, 2, 1, 1}, new float[] {0, 1, -1, 0.5f, 2, -2});
        Frame second = PixelVideo.toFrame(video, 1);
        assertThat(new int[] {second.sample(0, 0, 0), second.sample(0, 0, 1), second.sample(0, 0, 2)})
                .containsExactly(255, 191, 0);
    }

    @Test
    void guidanceRunsOnlyAboveOne() {
        assertThat(Guidance.enabled(1.0)).isFalse();
        assertThat(Guidance.enabled(0.5)).isFalse();
        assertThat(Guidance.enabled(1.01)).isTrue();
        assertThat(Guidance.combine(new float[] {1, 2}, new float[] {3, 0}, 2.0)).containsExactly(5f, -2f);
        assertThat(Guidance.unconditionalFace(new long[] {1, 3, 2, 4, 4}).toFloatArray()).hasSize(96)
                .containsOnly(-1f);
    }

    @Test
    void proceduralNoiseIsTheNamedTensorPerClip() {
        NoiseSource noise = new ProceduralNoiseSource(0)::noise;
        float[] clip1 = noise.noise(1, new long[] {16, 3, 8, 8}).toFloatArray();
        assertThat(clip1).hasSize(16 * 3 * 64);
        assertThat(clip1[5]).isEqualTo((float) Procedural.uniform("noise.clip1", 5, 0));
        assertThat(ProceduralNoiseSource.tensorName(0)).isEqualTo("noise.clip0");
    }

    @Test
    void seededNoiseIsStandardNormalAndDeterministicPerClip() {
        long[] shape = {16, 21, 16, 16};
        float[] a = NoiseSource.seeded(42).noise(3, shape).toFloatArray();
        float[] again = new GaussianNoiseSource(42).noise(3, shape).toFloatArray();
        float[] otherClip = NoiseSource.seeded(42).noise(2, shape).toFloatArray();
        assertThat(a).containsExactly(again);
        assertThat(a).isNotEqualTo(otherClip);
        double sum = 0;
        double sq = 0;
        int beyond3 = 0;
        for (float v : a) {
            sum += v;
            sq += v * v;
            if (Math.abs(v) > 3) {
                beyond3++;
            }
        }
        double mean = sum / a.length;
        double var = sq / a.length - mean * mean;
        assertThat(mean).isCloseTo(0, within(0.02));
        assertThat(var).isCloseTo(1, within(0.03));
        assertThat((double) beyond3 / a.length).isCloseTo(0.0027, within(0.0015));
    }

    @Test
    void clipOutputDropsTheReferenceSlotAndKeepsTheLastFrames() {
        float[] lat = new float[2 * 3 * 1];
        for (int i = 0; i < lat.length; i++) {
            lat[i] = i;
        }
        HostTensor x0 = ClipOutput.withoutReferenceSlot(HostTensor.ofFloats(new long[] {2, 3, 1, 1}, lat));
        assertThat(x0.shape()).containsExactly(2, 2, 1, 1);
        assertThat(x0.toFloatArray()).containsExactly(1, 2, 4, 5);
        HostTensor video = HostTensor.ofFloats(new long[] {3, 3, 1, 1}, new float[] {0, 0.1f, 3, 1, 1.1f, -3, 2, 2.1f, 0.3f});
        assertThat(ClipOutput.clamp(video).toFloatArray()).containsExactly(0, 0.1f, 1, 1, 1, -1, 1, 1, 0.3f);
        HostTensor last = ClipOutput.frames(video, 2, 3, Precision.BF16);
        assertThat(last.shape()).containsExactly(3, 1, 1, 1);
        assertThat(last.toFloatArray()).containsExactly(3f, -3f, 0.30078125f);
    }
}
