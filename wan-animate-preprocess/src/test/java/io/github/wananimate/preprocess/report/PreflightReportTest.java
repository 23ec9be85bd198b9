package io.github.wananimate.preprocess.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.github.wananimate.preprocess.face.FaceBox;
import io.github.wananimate.preprocess.mask.BinaryMask;
import io.github.wananimate.preprocess.pose.Person;
import io.github.wananimate.preprocess.pose.PoseFrame;
import io.github.wananimate.preprocess.pose.PoseMeta;
import io.github.wananimate.preprocess.pose.WholeBody;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreflightReportTest {

    /** A standing body scaled by (sx, sy), all points with the given score. */
    static WholeBody body(double sx, double sy, float score) {
        double[][] pts = {{100, 40}, {95, 35}, {105, 35}, {90, 38}, {110, 38}, {80, 70}, {120, 70}, {70, 110},
            {130, 110}, {65, 150}, {135, 150}, {88, 160}, {112, 160}, {86, 220}, {114, 220}, {85, 280}, {115, 280},
            {85, 290}, {85, 290}, {85, 290}, {115, 290}, {115, 290}, {115, 290}};
        float[] v = new float[WholeBody.POINTS * 3];
        for (int i = 0; i < WholeBody.POINTS; i++) {
            double[] p = i < pts.length ? pts[i] : new double[] {100 + i % 7, 40 + i % 5};
            v[i * 3] = (float) (p[0] * sx);
            v[i * 3 + 1] = (float) (p[1] * sy);
            v[i * 3 + 2] = score;
        }
        return new WholeBody(v);
    }

    static PoseFrame frame(WholeBody kp, float detScore) {
        return new PoseFrame(256, 320, List.of(new Person(0, new float[4], detScore, kp)), 0);
    }

    @Test
    void coverageAreaAndWarningsFromHandMadeFrames() {
        PreflightCollector c = new PreflightCollector();
        byte[] quarter = new byte[16];
        quarter[0] = 1;
        quarter[1] = 1;
        quarter[2] = 1;
        quarter[3] = 1;
        for (int t = 0; t < 10; t++) {
            boolean bad = t >= 8;                           // 2 frames: nothing detected, unsure points
            WholeBody kp = body(1, 1, bad ? 0.2f : 0.9f);
            PoseMeta meta = PoseMeta.of(kp, 256, 320, null);
            BinaryMask mask = t == 9 ? BinaryMask.empty(4, 4) : new BinaryMask(4, 4, quarter);
            c.add(frame(kp, bad ? -1 : 0.9f), meta, new FaceBox(90, 110, 30, 45), mask);
        }
        // the reference has arms twice as long (relative to the torso) as the driver
        WholeBody ref = body(1, 1, 0.9f);
        float[] r = ref.toArray();
        for (int i : new int[] {7, 8, 9, 10}) {
            int shoulder = i % 2 == 1 ? 5 : 6;
            r[i * 3] = r[shoulder * 3] + 2 * (r[i * 3] - r[shoulder * 3]);
            r[i * 3 + 1] = r[shoulder * 3 + 1] + 2 * (r[i * 3 + 1] - r[shoulder * 3 + 1]);
        }
        PoseMeta refMeta = PoseMeta.of(new WholeBody(r), 256, 320, null);
        PreflightReport report = c.build(25, 25, 256, 320, 256, 320, 1280, 720, refMeta);

        assertThat(report.frames()).isEqualTo(10);
        assertThat(report.poseCoverage()).isCloseTo(0.8, within(1e-12));
        assertThat(report.faceCoverage()).isCloseTo(0.8, within(1e-12));
        assertThat(report.maskArea()[0]).isEqualTo(0.25);
        assertThat(report.meanMaskArea()).isCloseTo(0.225, within(1e-12));
        assertThat(report.aspectMismatch()).isCloseTo((1280 / 720.0) / (256 / 320.0), within(1e-12));
        assertThat(report.limbRatioSpread()).isGreaterThan(1.5);
        assertThat(report.warnings()).anyMatch(w -> w.contains("first bad frame 8"))
                .anyMatch(w -> w.contains("empty mask on frame 9"))
                .anyMatch(w -> w.contains("letterboxed"))
                .anyMatch(w -> w.contains("proportions"))
                .anyMatch(w -> w.contains("30 fps"));
        assertThat(report.summary()).contains("pose coverage   80.0 %").contains("mask area      mean 22.5 %");
    }

    @Test
    void aCleanRunHasNoWarnings() {
        PreflightCollector c = new PreflightCollector();
        WholeBody kp = body(1, 1, 0.9f);
        PoseMeta meta = PoseMeta.of(kp, 256, 320, null);
        for (int t = 0; t < 5; t++) {
            c.add(frame(kp, 0.9f), meta, new FaceBox(90, 110, 30, 45), null);
        }
        PreflightReport report = c.build(30, 30, 256, 320, 256, 320, 512, 640, meta);
        assertThat(report.limbRatioSpread()).isCloseTo(1.0, within(1e-9));
        assertThat(report.warnings()).isEmpty();
        assertThat(report.summary()).contains("no warnings");
        assertThat(Double.isNaN(report.meanMaskArea())).isTrue();
    }
}
