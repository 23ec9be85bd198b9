package io.github.wananimate.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.video.Frame;
import org.junit.jupiter.api.Test;

/** cv2 INTER_LINEAR values worked out by hand from OpenCV's fixed-point formula, and the §2.2 letterbox. */
class ResizeAndLetterboxTest {

    private static Frame grey(int width, int height, int... values) {
        byte[] rgb = new byte[3 * width * height];
        for (int i = 0; i < values.length; i++) {
            for (int c = 0; c < 3; c++) {
                rgb[3 * i + c] = (byte) values[i];
            }
        }
        return Frame.ofRgb(width, height, rgb);
    }

    private static int[] red(Frame f) {
        int[] out = new int[f.width() * f.height()];
        for (int y = 0; y < f.height(); y++) {
            for (int x = 0; x < f.width(); x++) {
                out[y * f.width() + x] = f.sample(x, y, 0);
            }
        }
        return out;
    }

    @Test
    void upscalingUsesHalfPixelCentresAndClampsAtTheBorders() {
        // dx = 1: fx = 0.25 → 255·512/2048 = 63.75 → 64; dx = 2: fx = 0.75 → 191.25 → 191; ends clamp.
        assertThat(red(BilinearResize.resize(grey(2, 1, 0, 255), 4, 1))).containsExactly(0, 64, 191, 255);
        assertThat(red(BilinearResize.resize(grey(1, 2, 0, 255), 1, 4))).containsExactly(0, 64, 191, 255);
    }

    @Test
    void downscalingByTwoAveragesPairsAndRoundsHalfUp() {
        assertThat(red(BilinearResize.resize(grey(4, 1, 10, 20, 30, 40), 2, 1))).containsExactly(15, 35);
        assertThat(red(BilinearResize.resize(grey(2, 1, 10, 21), 1, 1))).containsExactly(16);
        assertThat(red(BilinearResize.resize(grey(2, 2, 0, 100, 200, 255), 1, 1))).containsExactly(139);
    }

    @Test
    void downscalingIsNotAntialiased() {
        // 4 → 1: fx = 0.5·4 − 0.5 = 1.5, so only source pixels 1 and 2 contribute.
        assertThat(red(BilinearResize.resize(grey(4, 1, 0, 100, 200, 255), 1, 1))).containsExactly(150);
    }

    @Test
    void sameSizeIsTheIdentity() {
        Frame f = grey(3, 2, 1, 2, 3, 4, 5, 6);
        assertThat(BilinearResize.resize(f, 3, 2)).isSameAs(f);
        assertThat(ReferenceLetterbox.paddingResize(f, 2, 3)).isEqualTo(f);
    }

    @Test
    void tallImageGetsSideBars() {
        Frame tall = grey(2, 4, 9, 9, 9, 9, 9, 9, 9, 9);
        Frame boxed = ReferenceLetterbox.paddingResize(tall, 4, 4);
        // nw = int(4/4·2) = 2, x offset int((4 − 2)/2) = 1
        assertThat(red(boxed)).containsExactly(0, 9, 9, 0, 0, 9, 9, 0, 0, 9, 9, 0, 0, 9, 9, 0);
    }

    @Test
    void wideImageGetsTopAndBottomBars() {
        Frame wide = grey(4, 2, 7, 7, 7, 7, 7, 7, 7, 7);
        Frame boxed = ReferenceLetterbox.paddingResize(wide, 5, 4);
        // nh = int(4/4·2) = 2, y offset int((5 − 2)/2) = 1
        assertThat(red(boxed)).containsExactly(0, 0, 0, 0, 7, 7, 7, 7, 7, 7, 7, 7, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void letterboxResizesWithInterLinear() {
        Frame src = grey(2, 1, 0, 255);
        Frame boxed = ReferenceLetterbox.paddingResize(src, 4, 4);
        // h0/w0 = 0.5 ≤ 1: nh = int(4/2·1) = 2 → resize to 4×2, y offset 1
        assertThat(red(boxed)).containsExactly(0, 0, 0, 0, 0, 64, 191, 255, 0, 64, 191, 255, 0, 0, 0, 0);
    }

    @Test
    void extremeAspectIsRejected() {
        assertThatThrownBy(() -> ReferenceLetterbox.paddingResize(grey(1, 100), 16, 16))
                .hasMessageContaining("1x100").hasMessageContaining("0 pixels");
    }
}
