package io.github.wananimate.preprocess.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.api.MotionSignals;
import io.github.wananimate.video.Frame;
import org.junit.jupiter.api.Test;

class DemoSampleTest {

    @Test
    void bundledSampleGivesValidSignalsAtTheDemoSize() {
        DemoSample demo = DemoSample.load();
        MotionSignals s = demo.signals();
        assertThat(s.frameCount()).isEqualTo(13);
        assertThat(s.width()).isEqualTo(DemoSample.WIDTH);
        assertThat(s.height()).isEqualTo(DemoSample.HEIGHT);
        assertThat(s.face().width()).isEqualTo(512);
        assertThat(s.fps()).isEqualTo(3.75);
        assertThat(s.reference().width()).isEqualTo(448);
        assertThat(demo.driving()).hasSize(13);
        // the pose frames are drawn: black background with coloured limbs, and they differ from frame to frame
        Frame first = s.pose().get(0);
        assertThat(first.sample(0, 0, 0)).isZero();
        assertThat(litPixels(first)).isGreaterThan(50);
        assertThat(s.pose().get(12)).isNotEqualTo(first);
    }

    @Test
    void poseRendersAtAnySize() {
        MotionSignals s = DemoSample.load(224, 128).signals();
        assertThat(s.width()).isEqualTo(224);
        assertThat(litPixels(s.pose().get(3))).isGreaterThan(200);
    }

    private static int litPixels(Frame f) {
        int n = 0;
        for (int y = 0; y < f.height(); y++) {
            for (int x = 0; x < f.width(); x++) {
                if (f.sample(x, y, 0) + f.sample(x, y, 1) + f.sample(x, y, 2) > 60) {
                    n++;
                }
            }
        }
        return n;
    }
}
