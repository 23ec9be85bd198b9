package io.github.wananimate.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.api.CancellationToken;
import io.github.wananimate.api.Progress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TerminalProgressBarTest {

    @Test
    void rendersFractionClipStepAndEta() {
        Progress p = new Progress(Progress.Stage.DENOISING, 1, 2, 5, 20, Duration.ofSeconds(75),
                Optional.of(Duration.ofSeconds(3725)));
        // 25 of 40 steps = 62.5% → 19 of 30 cells
        assertThat(TerminalProgressBar.render(p)).isEqualTo("[###################...........]  63%  clip 2/2  "
                + "step 5/20  denoising  1:15 elapsed, ETA 1:02:05");
        Progress start = new Progress(Progress.Stage.PREPARING, 0, 2, 0, 20, Duration.ZERO, Optional.empty());
        assertThat(TerminalProgressBar.render(start)).endsWith("ETA --:--");
    }

    @Test
    void logsOneLinePerTenthWhenNotATerminalAndCancelsOnTheToken() {
        StringWriter out = new StringWriter();
        CancellationToken token = new CancellationToken();
        TerminalProgressBar bar = new TerminalProgressBar(new PrintWriter(out), false, token);
        for (int step = 0; step <= 20; step++) {
            assertThat(bar.onProgress(new Progress(Progress.Stage.DENOISING, 0, 1, step, 20, Duration.ZERO,
                    Optional.empty()))).isTrue();
        }
        assertThat(out.toString().lines()).hasSize(11);
        token.cancel();
        assertThat(bar.onProgress(new Progress(Progress.Stage.DECODING, 0, 1, 20, 20, Duration.ZERO,
                Optional.empty()))).isFalse();
    }

    @Test
    void countsFramesWithAnEtaExtrapolatedFromTheFramesDone() {
        // 40 of 100 frames in 20 s → 30 s to go; 40% → 12 of 30 cells
        assertThat(TerminalProgressBar.renderFrames("pose+face", 40, 100, Duration.ofSeconds(20)))
                .isEqualTo("[############..................]  40%  frame 40/100  pose+face  0:20 elapsed, ETA 0:30");
        assertThat(TerminalProgressBar.renderFrames("pose+face", 0, 100, Duration.ZERO)).endsWith("ETA --:--");
        assertThat(TerminalProgressBar.renderFrames("pose+face", 100, 100, Duration.ofSeconds(50)))
                .endsWith("0:50 elapsed").contains("100%");
        StringWriter out = new StringWriter();
        TerminalProgressBar bar = new TerminalProgressBar(new PrintWriter(out), false, new CancellationToken());
        for (int done = 1; done <= 35; done++) {
            bar.onFrames("pose+face", done, 35, Duration.ofSeconds(done));
        }
        assertThat(out.toString().lines()).hasSize(11).last().asString().contains("frame 35/35");
    }
}
