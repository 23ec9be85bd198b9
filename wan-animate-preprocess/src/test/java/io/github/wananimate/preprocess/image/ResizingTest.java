package io.github.wananimate.preprocess.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.preprocess.image.OpenCv.Interpolation;
import io.github.wananimate.preprocess.image.Resizing.Placement;
import io.github.wananimate.preprocess.image.Resizing.Size;
import org.junit.jupiter.api.Test;

class ResizingTest {

    private static final long AREA = 1280L * 720;

    @Test
    void areaRuleMatchesTheSpecExamples() {
        // PIPELINE.md §3.3
        assertThat(Resizing.areaSize(1920, 1080, AREA, 16)).isEqualTo(new Size(1280, 720));
        assertThat(Resizing.areaSize(1080, 1920, AREA, 16)).isEqualTo(new Size(720, 1280));
        assertThat(Resizing.areaSize(1000, 1000, AREA, 16)).isEqualTo(new Size(960, 960));
        assertThat(Resizing.areaSize(832, 480, AREA, 16)).isEqualTo(new Size(1248, 720));
        assertThat(Resizing.areaSize(3000, 4000, AREA, 16)).isEqualTo(new Size(816, 1104));
        assertThat(Resizing.areaSize(768, 1024, AREA, 16)).isEqualTo(new Size(816, 1104));
    }

    @Test
    void areaRuleNeverExceedsTheAreaAndKeepsMultiplesOfTheDivisor() {
        for (int w = 100; w < 4000; w += 137) {
            for (int h = 100; h < 4000; h += 211) {
                Size s = Resizing.areaSize(w, h, AREA, 16);
                assertThat((long) s.width() * s.height()).isLessThanOrEqualTo(AREA);
                assertThat(s.width() % 16).isZero();
                assertThat(s.height() % 16).isZero();
            }
        }
    }

    @Test
    void letterboxOf768x1024HasAnEightPixelBarAboveAndBelow() {
        // 768x1024 -> 816x1104: (1104/1024)·768 = 828 > 816, so the width is full and the height int((816/768)·1024)
        assertThat(Resizing.paddingPlacement(768, 1024, 816, 1104)).isEqualTo(new Placement(0, 8, 816, 1088));
        // a taller input gets side bars
        assertThat(Resizing.paddingPlacement(100, 400, 200, 200)).isEqualTo(new Placement(75, 0, 50, 200));
    }

    @Test
    void paddingResizePastesTheResizedImageOnBlack() {
        RgbImage src = RgbImage.black(4, 2);
        for (int y = 0; y < 2; y++) {
            for (int x = 0; x < 4; x++) {
                src.set(x, y, 200, 100, 50);
            }
        }
        RgbImage out = Resizing.paddingResize(src, 4, 4, Interpolation.LINEAR);
        // nh = int((4/4)·2) = 2 at y offset int((4 − 2)/2) = 1
        for (int x = 0; x < 4; x++) {
            assertThat(out.rgb(x, 0)).isZero();
            assertThat(out.rgb(x, 1)).isEqualTo(0xC86432);
            assertThat(out.rgb(x, 2)).isEqualTo(0xC86432);
            assertThat(out.rgb(x, 3)).isZero();
        }
    }

    @Test
    void resizeByAreaUsesInterAreaWhenShrinkingAndLinearWhenGrowing() {
        RgbImage src = gradient(1920, 1080);
        RgbImage shrunk = Resizing.resizeByArea(src, AREA, 16);
        assertThat(shrunk).isEqualTo(OpenCv.resize(src, 1280, 720, Interpolation.AREA));
        RgbImage small = gradient(832, 480);
        RgbImage grown = Resizing.resizeByArea(small, AREA, 16);
        assertThat(grown).isEqualTo(OpenCv.resize(small, 1248, 720, Interpolation.LINEAR));
        assertThat(shrunk).isNotEqualTo(OpenCv.resize(src, 1280, 720, Interpolation.LINEAR));
    }

    @Test
    void degenerateSizesAreRejected() {
        assertThatThrownBy(() -> Resizing.paddingResize(RgbImage.black(1000, 1), 10, 10, Interpolation.LINEAR))
                .hasMessageContaining("empty");
    }

    static RgbImage gradient(int w, int h) {
        RgbImage img = RgbImage.black(w, h);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.set(x, y, (x * 7 + y) & 0xFF, (y * 3) & 0xFF, ((x ^ y) * 5) & 0xFF);
            }
        }
        return img;
    }
}
