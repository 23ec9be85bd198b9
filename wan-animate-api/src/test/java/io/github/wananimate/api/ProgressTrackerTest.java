package io.github.wananimate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTrackerTest {

    @Test
    void progressEstimatesTheRemainingTimeFromTimedSteps() {
        AtomicLong clock = new AtomicLong(1_000);
        List<Progress> seen = new ArrayList<>();
        ProgressTracker tracker = new ProgressTracker(p -> seen.add(p), new CancellationToken(), clock::get);
        tracker.preparing(2, 5);
        assertThat(seen.get(0).stage()).isEqualTo(Progress.Stage.PREPARING);
        assertThat(seen.get(0).remaining()).isEmpty();
        clock.addAndGet(Duration.ofSeconds(4).toNanos());
        tracker.denoised(0, 2);
        Progress p = seen.get(1);
        assertThat(p.stage()).isEqualTo(Progress.Stage.DENOISING);
        assertThat(p.completedSteps()).isEqualTo(2);
        assertThat(p.fraction()).isEqualTo(0.2);
        assertThat(p.remaining()).contains(Duration.ofSeconds(16));
        assertThat(seen).hasSize(2);
    }

    @Test
    void listenerReturningFalseOrTokenCancelsTheRun() {
        ProgressTracker refusing = new ProgressTracker(p -> false, null, () -> 0L);
        assertThatThrownBy(() -> refusing.denoised(0, 1))
                .isInstanceOf(GenerationCancelledException.class).hasMessageContaining("clip 0, step 1");
        CancellationToken token = new CancellationToken();
        ProgressTracker tracked = new ProgressTracker(null, token, () -> 0L);
        tracked.checkCancelled();
        token.cancel("user pressed stop");
        assertThatThrownBy(tracked::checkCancelled).isInstanceOf(GenerationCancelledException.class)
                .hasMessage("user pressed stop");
    }
}
