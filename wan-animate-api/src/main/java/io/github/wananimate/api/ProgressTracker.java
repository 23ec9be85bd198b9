package io.github.wananimate.api;

import io.github.wananimate.pipeline.GenerationMonitor;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The pipeline's {@link GenerationMonitor} for a {@link ProgressListener}: reports {@link Progress} with an ETA, and
 * stops the run when the listener returns false or the {@link CancellationToken} is cancelled. The ETA assumes every
 * remaining denoising step costs the average of the steps timed so far (encode/decode time is folded into that
 * average).
 */
final class ProgressTracker implements GenerationMonitor {

    private final ProgressListener listener;
    private final CancellationToken token;
    private final LongSupplier nanoClock;
    private final long startNanos;
    private int clipCount = 1;
    private int stepsPerClip = 1;

    /**
     * @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime}; tests pass their own)
     */
    ProgressTracker(ProgressListener listener, CancellationToken token, LongSupplier nanoClock) {
        this.listener = listener == null ? ProgressListener.NONE : listener;
        this.token = token == null ? new CancellationToken() : token;
        this.nanoClock = nanoClock;
        this.startNanos = nanoClock.getAsLong();
    }

    /** Time since this tracker was made. */
    Duration elapsed() {
        return Duration.ofNanos(nanoClock.getAsLong() - startNanos);
    }

    @Override
    public void preparing(int clips, int steps) {
        this.clipCount = clips;
        this.stepsPerClip = steps;
        report(Progress.Stage.PREPARING, 0, 0);
    }

    @Override
    public void encodingClip(int clip) {
        report(Progress.Stage.ENCODING_CLIP, clip, 0);
    }

    @Override
    public void denoised(int clip, int step) {
        report(Progress.Stage.DENOISING, clip, step);
    }

    @Override
    public void decoding(int clip) {
        report(Progress.Stage.DECODING, clip, stepsPerClip);
    }

    @Override
    public void finished() {
        report(Progress.Stage.FINISHED, clipCount - 1, stepsPerClip);
    }

    /**
     * Tells the listener that {@code step} steps of clip {@code clip} are done, in {@code stage}.
     *
     * @throws GenerationCancelledException when the token is cancelled or the listener returns false
     */
    Progress report(Progress.Stage stage, int clip, int step) {
        token.throwIfCancelled();
        Duration elapsed = elapsed();
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
    @Override
    public void checkCancelled() {
        token.throwIfCancelled();
    }
}
