package io.github.wananimate.pipeline;

import io.github.wananimate.api.CancellationToken;
import io.github.wananimate.api.GenerationCancelledException;
import io.github.wananimate.api.Progress;
import io.github.wananimate.api.ProgressListener;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Reports progress to a {@link ProgressListener} with an ETA, and stops the run when the listener returns false or
 * the {@link CancellationToken} is cancelled. The ETA assumes every remaining denoising step costs the average of
 * the steps timed so far (encode/decode time is folded into that average).
 */
public final class ProgressTracker {

    private final ProgressListener listener;
    private final CancellationToken token;
    private final LongSupplier nanoClock;
    private final int clipCount;
    private final int stepsPerClip;
    private final long startNanos;

    /**
     * @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime}; tests pass their own)
     */
    public ProgressTracker(ProgressListener listener, CancellationToken token, int clipCount, int stepsPerClip,
            LongSupplier nanoClock) {
        this.listener = listener == null ? ProgressListener.NONE : listener;
        this.token = token == null ? new CancellationToken() : token;
        this.clipCount = clipCount;
        this.stepsPerClip = stepsPerClip;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
    }

    /**
     * Tells the listener that {@code step} steps of clip {@code clip} are done, in {@code stage}.
     *
     * @throws GenerationCancelledException when the token is cancelled or the listener returns false
     */
    public Progress report(Progress.Stage stage, int clip, int step) {
        token.throwIfCancelled();
        Duration elapsed = Duration.ofNanos(nanoClock.getAsLong() - startNanos);
        int done = clip * stepsPerClip + step;
        int total = clipCount * stepsPerClip;
        Optional<Duration> remaining;
        if (stage == Progress.Stage.FINISHED) {
            remaining = Optional.of(Duration.ZERO);
        } else if (done == 0) {
            remaining = Optional.empty();
        } else {
            remaining = Optional.of(Duration.ofNanos(elapsed.toNanos() / done * (total - done)));
        }
        Progress progress = new Progress(stage, clip, clipCount, step, stepsPerClip, elapsed, remaining);
        if (!listener.onProgress(progress)) {
            token.cancel("cancelled by the progress listener at clip " + clip + ", step " + step);
            token.throwIfCancelled();
        }
        return progress;
    }

    /** @throws GenerationCancelledException when the token has been cancelled */
    public void checkCancelled() {
        token.throwIfCancelled();
    }
}
