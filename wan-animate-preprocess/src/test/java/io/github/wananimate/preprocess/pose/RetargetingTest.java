package io.github.wananimate.preprocess.pose;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RetargetingTest {

    /** A standing, front-facing skeleton in pixels (COCO-WholeBody), feet 10 px below the ankles. */
    static float[] standing(double sx, double sy, double ox, double oy, double armAngleDeg) {
        double[][] body = {
            {100, 40}, {95, 35}, {105, 35}, {90, 38}, {110, 38},   // nose, L eye, R eye, L ear, R ear
            {80, 70}, {120, 70},                                       // L shoulder, R shoulder
            {70, 110}, {130, 110}, {65, 150}, {135, 150},              // L elbow, R elbow, L wrist, R wrist
            {88, 160}, {112, 160}, {86, 220}, {114, 220}, {85, 280}, {115, 280}, // hips, knees, ankles
        };
        float[] v = new float[WholeBody.POINTS * 3];
        for (int i = 0; i < 17; i++) {
            v[i * 3] = (float) (body[i][0] * sx + ox);
            v[i * 3 + 1] = (float) (body[i][1] * sy + oy);
            v[i * 3 + 2] = 0.95f;
        }
        // feet: 17,18 left toes, 20,21 right toes: 10 px below the ankles
        for (int[] f : new int[][] {{17, 15}, {18, 15}, {19, 15}, {20, 16}, {21, 16}, {22, 16}}) {
            v[f[0] * 3] = v[f[1] * 3];
            v[f[0] * 3 + 1] = (float) (v[f[1] * 3 + 1] + 10 * sy);
            v[f[0] * 3 + 2] = 0.95f;
        }
        // right forearm rotated about the right elbow (COCO 8 → 10)
        double len = Math.hypot(5, 40) * sx;
        double a = Math.toRadians(armAngleDeg);
        v[10 * 3] = (float) (v[8 * 3] + len * Math.sin(a));
        v[10 * 3 + 1] = (float) (v[8 * 3 + 1] + len * Math.cos(a));
        // hands: right hand rooted at the right wrist, left hand at the left wrist
        for (int i = 0; i < 21; i++) {
            int r = WholeBody.RIGHT_HAND_START + i;
            v[r * 3] = v[10 * 3] + i;
            v[r * 3 + 1] = v[10 * 3 + 1] + 2 * i;
            v[r * 3 + 2] = 0.9f;
            int l = WholeBody.LEFT_HAND_START + i;
            v[l * 3] = v[9 * 3] - i;
            v[l * 3 + 1] = v[9 * 3 + 1] + 2 * i;
            v[l * 3 + 2] = 0.9f;
        }
        for (int i = WholeBody.FACE_START; i < WholeBody.FACE_END; i++) {
            v[i * 3] = 100;
            v[i * 3 + 1] = 40;
            v[i * 3 + 2] = 0.9f;
        }
        return v;
    }

    static PoseMeta meta(float[] v, int w, int h) {
        return PoseMeta.of(new WholeBody(v), w, h, null);
    }

    @Test
    void identicalPosesOnlyMoveByTheAnkleToToeAsymmetry() {
        PoseMeta d0 = meta(standing(1, 1, 0, 0, 0), 256, 320);
        Retargeting r = new Retargeting(d0, d0);
        assertThat(r.scale()).isEqualTo(1.0);
        assertThat(r.limbRatios()).containsOnly(1.0);
        // Δy = max ankle y (driving) − max ankle–toe midpoint y (reference) = 280 − 285
        assertThat(r.anchorOffset()[0]).isCloseTo(0, within(1e-9));
        assertThat(r.anchorOffset()[1]).isCloseTo(-5, within(1e-4));
        AaPose out = r.next(d0);
        AaPose plain = d0.toPixels();
        for (int i = 0; i < 20; i++) {
            assertThat(out.bodyX(i)).as("x %d", i).isCloseTo(plain.bodyX(i), within(1e-3));
            assertThat(out.bodyY(i)).as("y %d", i).isCloseTo(plain.bodyY(i) + 5, within(1e-3));
            assertThat(out.bodyScore(i)).isEqualTo(plain.bodyScore(i));
        }
        // hands follow their wrist and are truncated to whole pixels
        double[] right = out.rightHand();
        double[] left = out.leftHand();
        assertThat(right[0] % 1).isZero();
        assertThat(left[0] % 1).isZero();
        assertThat(Math.hypot(left[0] - out.bodyX(AaLayout.R_WRIST), left[1] - out.bodyY(AaLayout.R_WRIST))
                + Math.hypot(right[0] - out.bodyX(AaLayout.L_WRIST), right[1] - out.bodyY(AaLayout.L_WRIST)))
                .isLessThan(3);
    }

    @Test
    void referenceProportionsAreImposedAndDrivingAnglesKept() {
        // reference: the same person twice as large on a twice larger canvas, arms 1.5x longer
        float[] refPoints = standing(2, 2, 0, 0, 0);
        for (int[] arm : new int[][] {{6, 8}, {8, 10}, {5, 7}, {7, 9}}) {
            refPoints[arm[1] * 3] = refPoints[arm[0] * 3] + 1.5f * (refPoints[arm[1] * 3] - refPoints[arm[0] * 3]);
            refPoints[arm[1] * 3 + 1] = refPoints[arm[0] * 3 + 1]
                    + 1.5f * (refPoints[arm[1] * 3 + 1] - refPoints[arm[0] * 3 + 1]);
        }
        // note: moving the elbow (7/8) also carries the wrist, so the forearm is displaced; ratios are per limb
        PoseMeta reference = meta(refPoints, 512, 640);
        PoseMeta d0 = meta(standing(1, 1, 0, 0, 0), 256, 320);
        Retargeting r = new Retargeting(d0, reference);
        assertThat(r.scale()).isCloseTo(0.5, within(1e-6));
        double[] ratios = r.limbRatios();
        assertThat(ratios[2]).as("upper arm").isCloseTo(1.5, within(1e-4));
        assertThat(ratios[6]).as("torso").isCloseTo(1.0, within(1e-4));
        // a later frame bends the right forearm by 40°: its retargeted length is ratio·|D_t|/s, angle kept
        PoseMeta dt = meta(standing(1, 1, 0, 0, 40), 256, 320);
        r.next(d0);
        AaPose out = r.next(dt);
        AaPose px = dt.toPixels();
        int e = AaLayout.R_ELBOW;
        int w = AaLayout.R_WRIST;
        double drivingLength = Math.hypot(px.bodyX(w) - px.bodyX(e), px.bodyY(w) - px.bodyY(e));
        double outLength = Math.hypot(out.bodyX(w) - out.bodyX(e), out.bodyY(w) - out.bodyY(e));
        assertThat(outLength).isCloseTo(ratios[3] * drivingLength / r.scale(), within(1e-6));
        double drivingAngle = Math.atan2(px.bodyY(w) - px.bodyY(e), px.bodyX(w) - px.bodyX(e));
        double outAngle = Math.atan2(out.bodyY(w) - out.bodyY(e), out.bodyX(w) - out.bodyX(e));
        assertThat(outAngle).isCloseTo(drivingAngle, within(1e-9));
        assertThat(out.width()).isEqualTo(512);
        assertThat(out.height()).isEqualTo(640);
    }

    @Test
    void bodyTypeIsTheLessCompleteOfTheTwo() {
        float[] full = meta(standing(1, 1, 0, 0, 0), 256, 320).body();
        assertThat(Retargeting.bodyType(full)).isEqualTo(Retargeting.BodyType.FULL);
        float[] cut = full.clone();
        cut[AaLayout.R_ANKLE * 3 + 1] = 1.2f; // ankle below the frame
        assertThat(Retargeting.bodyType(cut)).isEqualTo(Retargeting.BodyType.THREE_QUARTER);
        cut[AaLayout.L_HIP * 3 + 2] = 0.3f;
        assertThat(Retargeting.bodyType(cut)).isEqualTo(Retargeting.BodyType.HALF);
    }

    @Test
    void halfBodyAnchorsAtTheNeck() {
        float[] d = standing(1, 1, 0, 0, 0);
        d[15 * 3 + 2] = 0.1f; // left ankle unsure → not full body, hips still fine → three-quarter (neck anchor)
        PoseMeta d0 = meta(d, 256, 320);
        PoseMeta reference = meta(standing(1, 1, 30, 10, 0), 256, 320);
        Retargeting r = new Retargeting(d0, reference);
        AaPose out = r.next(d0);
        AaPose ref = reference.toPixels();
        assertThat(out.bodyX(AaLayout.NECK)).isCloseTo(ref.bodyX(AaLayout.NECK), within(1e-3));
        assertThat(out.bodyY(AaLayout.NECK)).isCloseTo(ref.bodyY(AaLayout.NECK), within(1e-3));
    }
}
