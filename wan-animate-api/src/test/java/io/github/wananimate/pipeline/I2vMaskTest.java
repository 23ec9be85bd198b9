package io.github.wananimate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.tensor.HostTensor;
import org.junit.jupiter.api.Test;

/** PIPELINE.md §2.8 replayed on index-coded masks. */
class I2vMaskTest {

    @Test
    void referenceMaskIsAllOnes() {
        HostTensor m = I2vMask.build(1, 2, 3, 1, null);
        assertThat(m.shape()).containsExactly(4, 1, 2, 3);
        assertThat(m.toFloatArray()).containsOnly(1f);
    }

    @Test
    void channelCOfLatentFrameFIsPixelFrame4fPlusCMinus3() {
        int nLat = 4;
        int pixelFrames = 4 * (nLat - 1) + 1;
        int h = 2;
        int w = 2;
        float[] coded = new float[pixelFrames * h * w];
        for (int p = 0; p < pixelFrames; p++) {
            for (int k = 0; k < h * w; k++) {
                coded[p * h * w + k] = p + 100;
            }
        }
        float[] m = I2vMask.build(nLat, h, w, 0, coded).toFloatArray();
        for (int c = 0; c < 4; c++) {
            for (int f = 0; f < nLat; f++) {
                float expected = Math.max(4 * f + c - 3, 0) + 100;
                assertThat(m[((c * nLat) + f) * h * w + 3]).as("c=%d f=%d", c, f).isEqualTo(expected);
            }
        }
        assertThat(coded[0]).as("the caller's mask is not modified").isEqualTo(100f);
    }

    @Test
    void oneKnownFrameMarksOnlyLatentFrameZero() {
        float[] m = I2vMask.build(20, 1, 1, 1, null).toFloatArray();
        for (int c = 0; c < 4; c++) {
            for (int f = 0; f < 20; f++) {
                assertThat(m[c * 20 + f]).as("c=%d f=%d", c, f).isEqualTo(f == 0 ? 1f : 0f);
            }
        }
    }

    @Test
    void fiveKnownFramesMarkLatentFramesZeroAndOne() {
        float[] m = I2vMask.build(20, 1, 1, 5, null).toFloatArray();
        for (int c = 0; c < 4; c++) {
            for (int f = 0; f < 20; f++) {
                assertThat(m[c * 20 + f]).as("c=%d f=%d", c, f).isEqualTo(f <= 1 ? 1f : 0f);
            }
        }
    }

    @Test
    void knownFramesOverrideAGivenMask() {
        float[] half = new float[9];
        java.util.Arrays.fill(half, 0.5f);
        float[] m = I2vMask.build(3, 1, 1, 1, half).toFloatArray();
        // latent 0: all channels pixel 0 (forced 1); latent 1: pixels 1-4; latent 2: pixels 5-8.
        assertThat(m).containsExactly(1f, 0.5f, 0.5f, 1f, 0.5f, 0.5f, 1f, 0.5f, 0.5f, 1f, 0.5f, 0.5f);
    }

    @Test
    void rejectsAMaskOfTheWrongLength() {
        assertThatThrownBy(() -> I2vMask.build(3, 2, 2, 0, new float[8])).hasMessageContaining("8 values")
                .hasMessageContaining("9 frames");
    }
}
