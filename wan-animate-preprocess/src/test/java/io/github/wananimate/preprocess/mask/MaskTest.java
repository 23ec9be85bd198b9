package io.github.wananimate.preprocess.mask;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.preprocess.image.RgbImage;
import io.github.wananimate.preprocess.pose.PoseMeta;
import io.github.wananimate.preprocess.pose.WholeBody;
import org.junit.jupiter.api.Test;

class MaskTest {

    static BinaryMask points(int w, int h, int[]... pts) {
        byte[] bits = new byte[w * h];
        for (int[] p : pts) {
            bits[p[1] * w + p[0]] = 1;
        }
        return new BinaryMask(w, h, bits);
    }

    @Test
    void dilationThenGridAugmentationBecomesTheBoundingBoxExceptTheLastRowAndColumn() {
        BinaryMask raw = points(40, 40, new int[] {10, 10}, new int[] {20, 30});
        BinaryMask out = new MaskPostprocess(1, 3, 1, 1).apply(raw);
        // dilated: 3x3 squares → bbox x 9..21, y 9..31; one cell [9, 21) × [9, 31) filled
        for (int y = 9; y < 31; y++) {
            for (int x = 9; x < 21; x++) {
                assertThat(out.get(x, y)).as("(%d, %d)", x, y).isTrue();
            }
        }
        // column x = 21 keeps the dilated values: set only at y 29..31 (around the second point)
        assertThat(out.get(21, 15)).isFalse();
        assertThat(out.get(21, 30)).isTrue();
        assertThat(out.get(15, 31)).isFalse();  // row y = 31: only x 19..21
        assertThat(out.get(20, 31)).isTrue();
        assertThat(out.get(8, 20)).isFalse();
        assertThat(out.area()).isEqualTo(12 * 22 + 3 + 2);
    }

    @Test
    void finerGridsKeepTheShapeAndZeroIterationsKeepsTheRawMask() {
        BinaryMask raw = points(40, 40, new int[] {10, 10}, new int[] {30, 30});
        BinaryMask grid = new MaskPostprocess(1, 3, 4, 4).apply(raw);
        assertThat(grid.get(20, 20)).isFalse();    // the middle cells are empty
        assertThat(grid.get(10, 10)).isTrue();
        assertThat(new MaskPostprocess(0, 7, 1, 1).apply(raw)).isEqualTo(raw);
        BinaryMask empty = BinaryMask.empty(8, 8);
        assertThat(MaskPostprocess.defaults().apply(empty).area()).isZero();
    }

    @Test
    void backgroundBlacksOutTheCharacter() {
        RgbImage frame = RgbImage.black(4, 2);
        java.util.Arrays.fill(frame.pixels(), (byte) 90);
        BinaryMask m = points(4, 2, new int[] {1, 0}, new int[] {3, 1});
        RgbImage bg = MaskPostprocess.background(frame, m);
        assertThat(bg.rgb(1, 0)).isZero();
        assertThat(bg.rgb(3, 1)).isZero();
        assertThat(bg.rgb(0, 0)).isEqualTo(0x5A5A5A);
    }

    @Test
    void hullMaskCoversTheConfidentKeypointsOnly() {
        float[] v = new float[WholeBody.POINTS * 3];
        float[][] body = {{100, 50}, {95, 45}, {105, 45}, {90, 48}, {110, 48}, {80, 80}, {120, 80}, {70, 120},
            {130, 120}, {65, 160}, {135, 160}, {88, 170}, {112, 170}, {86, 230}, {114, 230}, {85, 290}, {115, 290}};
        for (int i = 0; i < body.length; i++) {
            v[i * 3] = body[i][0];
            v[i * 3 + 1] = body[i][1];
            v[i * 3 + 2] = 0.9f;
        }
        v[WholeBody.LEFT_HAND_START * 3] = 300;  // an unsure hand point far away is ignored
        v[WholeBody.LEFT_HAND_START * 3 + 1] = 300;
        v[WholeBody.LEFT_HAND_START * 3 + 2] = 0.1f;
        PoseMeta meta = PoseMeta.of(new WholeBody(v), 400, 320, null);
        BinaryMask m = new KeypointHullMask().segment(RgbImage.black(400, 320), meta);
        assertThat(m.get(100, 150)).isTrue();   // torso
        assertThat(m.get(65, 160)).isTrue();    // a wrist
        assertThat(m.get(300, 300)).isFalse();
        assertThat(m.get(10, 10)).isFalse();
        int[] b = m.bounds();
        assertThat(b[0]).isBetween(40, 66);
        assertThat(b[3]).isBetween(290, 319);
    }
}
