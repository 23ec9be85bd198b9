package io.github.wananimate.preprocess.face;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.wananimate.preprocess.image.RgbImage;
import io.github.wananimate.preprocess.pose.PoseMeta;
import io.github.wananimate.preprocess.pose.WholeBody;
import org.junit.jupiter.api.Test;

class FaceCropperTest {

    /** Face landmarks spread over the rectangle [x0, x1] × [y0, y1] on a W×H frame. */
    static PoseMeta faceMeta(int w, int h, float x0, float y0, float x1, float y1) {
        float[] v = new float[WholeBody.POINTS * 3];
        for (int i = 0; i < 68; i++) {
            int p = WholeBody.FACE_START + i;
            v[p * 3] = x0 + (x1 - x0) * (i % 4) / 3f;
            v[p * 3 + 1] = y0 + (y1 - y0) * (i / 4 % 4) / 3f;
            v[p * 3 + 2] = i % 2 == 0 ? 0.9f : 0.01f; // scores are ignored
        }
        // body points far from the face, and the right heel (face row 0) ignored too
        v[22 * 3] = 5;
        v[22 * 3 + 1] = 500;
        return PoseMeta.of(new WholeBody(v), w, h, null);
    }

    @Test
    void boxMatchesTheOriginalArithmetic() {
        // w0 = 40, h0 = 60: area·1.3 = 3120, w1 = √2080 = 45.607, h1 = √4680 = 68.411,
        // δw = 2.8035, δh = 2.1027 → x: [97.196, 142.80], y: [193.69, 262.10] → truncated
        PoseMeta meta = faceMeta(640, 512, 100, 200, 140, 260);
        assertThat(FaceCropper.officialBox(meta)).isEqualTo(new FaceBox(97, 142, 193, 262));
    }

    @Test
    void boxIsClampedToTheFrame() {
        PoseMeta meta = faceMeta(640, 512, 600, 2, 640, 62);
        FaceBox box = FaceCropper.officialBox(meta);
        assertThat(box.y1()).isZero();
        assertThat(box.x2()).isEqualTo(640);
    }

    @Test
    void cropStretchesTheBoxTo512() {
        RgbImage frame = RgbImage.black(640, 512);
        for (int y = 0; y < 512; y++) {
            for (int x = 0; x < 640; x++) {
                frame.set(x, y, x < 120 ? 255 : 0, y < 230 ? 255 : 0, 7);
            }
        }
        FaceBox box = new FaceBox(97, 142, 193, 262);
        RgbImage face = FaceCropper.crop(frame, box);
        assertThat(face.width()).isEqualTo(512);
        assertThat(face.height()).isEqualTo(512);
        assertThat(face.rgb(0, 0)).isEqualTo(0xFFFF07);       // top-left: x < 120, y < 230
        assertThat(face.rgb(511, 511)).isEqualTo(0x000007);   // bottom-right
        // x = 120 lies 23/45 across the box: the red edge lands near 512·23/45 ≈ 262
        assertThat(face.get(250, 10, 0)).isEqualTo(255);
        assertThat(face.get(275, 10, 0)).isZero();
    }

    @Test
    void officialCropperRefusesADegenerateFaceNamingTheFrame() {
        PoseMeta ok = faceMeta(640, 512, 100, 200, 140, 260);
        PoseMeta flat = faceMeta(640, 512, 100, 200, 140, 200);
        FaceCropper official = FaceCropper.official();
        official.nextBox(ok);
        assertThatThrownBy(() -> official.nextBox(flat)).hasMessageContaining("frame 1");
    }

    @Test
    void smoothedCropperFallsBackAndDampsJitter() {
        FaceCropper smoothed = FaceCropper.smoothed(0.5);
        FaceBox first = smoothed.nextBox(faceMeta(640, 512, 100, 200, 140, 260));
        assertThat(first).isEqualTo(new FaceBox(97, 142, 193, 262)); // the first box is the official one
        FaceBox jumped = smoothed.nextBox(faceMeta(640, 512, 120, 200, 160, 260));
        FaceBox official = FaceCropper.officialBox(faceMeta(640, 512, 120, 200, 160, 260));
        assertThat(jumped.x1()).isBetween(first.x1() + 1, official.x1() - 1);
        FaceBox fallback = smoothed.nextBox(faceMeta(640, 512, 100, 200, 140, 200));
        assertThat(fallback).isEqualTo(jumped);
    }
}
