package io.github.wananimate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.nn.Precision;
import io.github.wananimate.tensor.HostTensor;
import org.junit.jupiter.api.Test;

/** The four y cases of PIPELINE.md §2.9 on index-coded tensors. */
class ClipConditioningTest {

    private static final int L = 9;
    private static final int H = 16;
    private static final int W = 16;

    /** [3, t, H, W] where every value of channel c, frame k is base + 10·c + k. */
    private static HostTensor coded(int frames, float base) {
        float[] v = new float[3 * frames * H * W];
        for (int c = 0; c < 3; c++) {
            for (int k = 0; k < frames; k++) {
                java.util.Arrays.fill(v, (c * frames + k) * H * W, (c * frames + k + 1) * H * W, base + 10 * c + k);
            }
        }
        return HostTensor.ofFloats(new long[] {3, frames, H, W}, v);
    }

    private static float at(HostTensor video, int c, int t) {
        long[] s = video.shape();
        return video.toFloatArray()[(int) ((c * s[1] + t) * s[2] * s[3])];
    }

    @Test
    void caseAFirstAnimationClipIsAllZero() {
        HostTensor v = ClipConditioning.conditioningVideo(false, null, null, L, H, W);
        assertThat(v.shape()).containsExactly(3, L, H, W);
        assertThat(v.toFloatArray()).containsOnly(0f);
    }

    @Test
    void caseBLaterAnimationClipIsPreviousFramesThenZeros() {
        HostTensor v = ClipConditioning.conditioningVideo(false, coded(5, 1000), coded(L, 2000), L, H, W);
        for (int c = 0; c < 3; c++) {
            for (int t = 0; t < L; t++) {
                assertThat(at(v, c, t)).as("c=%d t=%d", c, t).isEqualTo(t < 5 ? 1000 + 10 * c + t : 0f);
            }
        }
    }

    @Test
    void caseCFirstReplacementClipIsTheBackground() {
        HostTensor v = ClipConditioning.conditioningVideo(true, null, coded(L, 2000), L, H, W);
        for (int c = 0; c < 3; c++) {
            for (int t = 0; t < L; t++) {
                assertThat(at(v, c, t)).isEqualTo(2000 + 10 * c + t);
            }
        }
    }

    @Test
    void caseDLaterReplacementClipIsPreviousFramesThenBackgroundFromR() {
        HostTensor v = ClipConditioning.conditioningVideo(true, coded(1, 1000), coded(L, 2000), L, H, W);
        for (int c = 0; c < 3; c++) {
            assertThat(at(v, c, 0)).isEqualTo(1000 + 10 * c);
            for (int t = 1; t < L; t++) {
                assertThat(at(v, c, t)).isEqualTo(2000 + 10 * c + t);
            }
        }
        assertThatThrownBy(() -> ClipConditioning.conditioningVideo(true, null, null, L, H, W))
                .hasMessageContaining("background");
    }

    @Test
    void keepBackgroundMaskTakesOneMinusTheTopLeftSampleOfEachBlock() {
        int frames = 2;
        float[] mask = new float[frames * H * W];
        for (int i = 0; i < mask.length; i++) {
            mask[i] = (i % 251) / 250f;
        }
        float[] keep = ClipConditioning.keepBackgroundMask(mask, frames, H, W, Precision.FP32);
        assertThat(keep).hasSize(frames * 2 * 2);
        for (int t = 0; t < frames; t++) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 2; j++) {
                    float expected = 1f - mask[(t * H + 8 * i) * W + 8 * j];
                    assertThat(keep[(t * 2 + i) * 2 + j]).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void keepBackgroundMaskIsNotBinarised() {
        float[] mask = new float[H * W];
        java.util.Arrays.fill(mask, 0.2f);
        float[] keep = ClipConditioning.keepBackgroundMask(mask, 1, H, W, Precision.BF16);
        assertThat(keep).containsOnly(0.80078125f); // 1 − 0.2 rounded to bf16
    }

    @Test
    void yStacksReferenceSlotThenClipAlongTimeWithMaskChannelsFirst() {
        int latT = 3;
        int h = 2;
        int w = 2;
        float[] ref = new float[16 * h * w];
        float[] video = new float[16 * latT * h * w];
        for (int c = 0; c < 16; c++) {
            java.util.Arrays.fill(ref, c * h * w, (c + 1) * h * w, -(c + 1));
            for (int f = 0; f < latT; f++) {
                java.util.Arrays.fill(video, (c * latT + f) * h * w, (c * latT + f + 1) * h * w, 100 * c + f);
            }
        }
        HostTensor mask = I2vMask.build(latT, h, w, 1, null);
        HostTensor y = ClipConditioning.assembleY(HostTensor.ofFloats(new long[] {1, 16, 1, h, w}, ref),
                HostTensor.ofFloats(new long[] {16, latT, h, w}, video), mask);
        assertThat(y.shape()).containsExactly(20, latT + 1, h, w);
        float[] v = y.toFloatArray();
        int frames = latT + 1;
        for (int c = 0; c < 20; c++) {
            for (int f = 0; f < frames; f++) {
                float value = v[(c * frames + f) * h * w];
                float expected;
                if (c < 4) {
                    expected = f <= 1 ? 1f : 0f; // reference slot ones, then the clip mask (latent 0 known)
                } else {
                    expected = f == 0 ? -(c - 4 + 1) : 100 * (c - 4) + (f - 1);
                }
                assertThat(value).as("c=%d f=%d", c, f).isEqualTo(expected);
            }
        }
    }
}
