package io.github.wananimate.preprocess.render;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.preprocess.image.RgbImage;
import io.github.wananimate.preprocess.pose.AaPose;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PoseRendererTest {

    @Test
    void stickWidthsFollowTheV2Rule() {
        // PIPELINE.md §3.9: min side 480 → (1, 1); 720 → (2, 1); 816 → (3, 1); 1080 → (4, 2)
        int[][] expected = {{480, 1, 1}, {720, 2, 1}, {816, 3, 1}, {1080, 4, 2}};
        for (int[] e : expected) {
            assertThat(PoseRenderer.bodyStickWidth(e[0], 4000)).as("body %d", e[0]).isEqualTo(e[1]);
            assertThat(PoseRenderer.handStickWidth(4000, e[0])).as("hand %d", e[0]).isEqualTo(e[2]);
        }
        assertThat(PoseRenderer.bodyStickWidth(100, 100)).isEqualTo(1);
    }

    @Test
    void handEdgeColoursRoundToTheSpecList() {
        int[][] expected = {{255, 0, 0}, {255, 77, 0}, {255, 153, 0}, {255, 229, 0}, {204, 255, 0}, {128, 255, 0},
            {51, 255, 0}, {0, 255, 25}, {0, 255, 102}, {0, 255, 179}, {0, 255, 255}, {0, 178, 255}, {0, 102, 255},
            {0, 25, 255}, {51, 0, 255}, {128, 0, 255}, {204, 0, 255}, {255, 0, 230}, {255, 0, 153}, {255, 0, 77}};
        double[][] colours = PoseRenderer.handEdgeColors();
        for (int k = 0; k < 20; k++) {
            int[] rounded = Arrays.stream(colours[k]).mapToInt(v -> (int) Math.rint(v)).toArray();
            assertThat(rounded).as("edge %d", k).containsExactly(expected[k]);
        }
    }

    @Test
    void limbIsA60PercentEllipseUnderFullColourJoints() {
        double[] body = absentBody();
        put(body, 1, 100, 200, 0.9);  // neck
        put(body, 2, 160, 200, 0.9);  // right shoulder
        RgbImage img = PoseRenderer.render(new AaPose(1080, 1080, body, null, null, null));
        // 1080 → half-width 4; limb 0 colour (255, 0, 0)·0.6 = (153, 0, 0), centre (130, 200), axes (30, 4)
        assertThat(img.rgb(130, 200)).isEqualTo(0x990000);
        assertThat(img.rgb(130, 196)).isEqualTo(0x990000);
        assertThat(img.rgb(130, 204)).isEqualTo(0x990000);
        assertThat(img.rgb(130, 206)).isZero();
        assertThat(img.rgb(120, 200)).isEqualTo(0x990000);
        // joints on top in full colour: neck is joint 1 (255, 85, 0), right shoulder joint 2 (255, 170, 0)
        assertThat(img.rgb(100, 200)).isEqualTo(0xFF5500);
        assertThat(img.rgb(160, 200)).isEqualTo(0xFFAA00);
        assertThat(img.rgb(160, 204)).isEqualTo(0xFFAA00);
        assertThat(img.rgb(165, 200)).isZero();
        assertThat(count(img, 0x990000)).isGreaterThan(200);
    }

    @Test
    void pointsBelowTheThresholdAreNotDrawn() {
        double[] body = absentBody();
        put(body, 1, 100, 100, 0.9);
        put(body, 5, 300, 100, 0.49); // left shoulder too unsure: no limb, no joint
        RgbImage img = PoseRenderer.render(new AaPose(400, 400, body, null, null, null));
        assertThat(img.rgb(100, 100)).isEqualTo(0xFF5500);
        assertThat(img.rgb(300, 100)).isZero();
        assertThat(img.rgb(200, 100)).isZero();
        assertThat(count(img, 0)).isEqualTo(400 * 400 - count(img, 0xFF5500));
    }

    @Test
    void handsAreRainbowLinesWithBluePointsAndSkipTheImageBorder() {
        double[] hand = new double[21 * 3];
        for (int i = 0; i < 21; i++) {
            put(hand, i, Double.NaN, Double.NaN, 0);
        }
        put(hand, 0, 50, 50, 0.9);
        put(hand, 1, 90, 50, 0.9);
        put(hand, 5, 0.6, 80, 0.9); // int(x) = 0: neither the point nor its edge is drawn
        RgbImage img = PoseRenderer.render(new AaPose(400, 400, absentBody(), hand, null, null));
        assertThat(img.rgb(70, 50)).isEqualTo(0xFF0000);   // edge 0 colour
        assertThat(img.rgb(50, 50)).isEqualTo(0x0000FF);   // points are (0, 0, 255)
        assertThat(img.rgb(90, 50)).isEqualTo(0x0000FF);
        assertThat(img.rgb(0, 80)).isZero();
        assertThat(img.rgb(25, 65)).isZero();              // no edge 0–5
    }

    @Test
    void drawingIsDeterministicAndLaterLimbsOverwriteEarlierOnes() {
        double[] body = absentBody();
        put(body, 1, 200, 100, 1);   // neck
        put(body, 8, 200, 300, 1);   // right hip: limb 6 (0, 255, 0)
        put(body, 11, 200, 300, 1);  // left hip at the same place: limb 9 (0, 255, 255) drawn later wins
        RgbImage a = PoseRenderer.render(new AaPose(400, 400, body, null, null, null));
        RgbImage b = PoseRenderer.render(new AaPose(400, 400, body.clone(), null, null, null));
        assertThat(a).isEqualTo(b);
        assertThat(a.rgb(200, 200)).isEqualTo(0x009999);
    }

    static double[] absentBody() {
        double[] body = new double[20 * 3];
        for (int i = 0; i < 20; i++) {
            put(body, i, 0, 0, 0);
        }
        return body;
    }

    static void put(double[] arr, int i, double x, double y, double s) {
        arr[i * 3] = x;
        arr[i * 3 + 1] = y;
        arr[i * 3 + 2] = s;
    }

    static int count(RgbImage img, int rgb) {
        int n = 0;
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                if (img.rgb(x, y) == rgb) {
                    n++;
                }
            }
        }
        return n;
    }
}
