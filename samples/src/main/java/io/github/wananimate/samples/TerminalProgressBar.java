package io.github.wananimate.samples;

import io.github.wananimate.api.CancellationToken;
import io.github.wananimate.api.Progress;
import io.github.wananimate.api.ProgressListener;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * A one-line progress bar with elapsed time and ETA, driven by the pipeline's {@link ProgressListener}: redrawn in
 * place on a terminal, one line per stage change and per tenth of the work otherwise (logs, pipes). Returns
 * {@code false} (cancel) once its {@link CancellationToken} is cancelled.
 */
final class TerminalProgressBar implements ProgressListener {

    private static final int WIDTH = 30;

    private final PrintWriter out;
    private final boolean interactive;
    private final CancellationToken token;
    private Progress.Stage lastStage;
    private int lastTenth = -1;
    private int lastLength;

    TerminalProgressBar(PrintWriter out, boolean interactive, CancellationToken token) {
        this.out = out;
        this.interactive = interactive;
        this.token = token;
    }

    @Override
    public boolean onProgress(Progress progress) {
        String line = render(progress);
        int tenth = (int) Math.floor(progress.fraction() * 10);
        if (interactive) {
            out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
            if (progress.stage() == Progress.Stage.FINISHED) {
                out.println();
            }
        } else if (progress.stage() != lastStage || tenth != lastTenth) {
            out.println(line);
        }
        out.flush();
        lastStage = progress.stage();
        lastTenth = tenth;
        return !token.isCancelled();
    }

    /**
     * Per-frame work (preprocessing): the same bar, counted in frames, with the ETA extrapolated from the frames
     * done so far. Redrawn in place on a terminal, one line per tenth otherwise.
     */
    void onFrames(String label, int done, int total, Duration elapsed) {
        String line = renderFrames(label, done, total, elapsed);
        int tenth = total == 0 ? 10 : (int) Math.floor(10.0 * done / total);
        if (interactive) {
            out.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
            lastLength = line.length();
            if (done >= total) {
                out.println();
            }
        } else if (tenth != lastTenth) {
            out.println(line);
        }
        out.flush();
        lastTenth = tenth;
    }

    /** E.g. {@code [###########...................]  37%  frame 40/106  pose+face  0:12 elapsed, ETA 0:20}. */
    static String renderFrames(String label, int done, int total, Duration elapsed) {
        double fraction = total == 0 ? 1 : Math.min(1, (double) done / total);
        int filled = (int) Math.round(fraction * WIDTH);
        StringBuilder s = new StringBuilder("[").append("#".repeat(filled)).append(".".repeat(WIDTH - filled))
                .append("] ").append(String.format(Locale.ROOT, "%3d%%", Math.round(fraction * 100)));
        s.append(String.format(Locale.ROOT, "  frame %d/%d  %s  %s elapsed", done, total, label, clock(elapsed)));
        if (done < total) {
            s.append(", ETA ").append(done == 0 ? "--:--" : clock(elapsed.multipliedBy(total - done).dividedBy(done)));
        }
        return s.toString();
    }

    /** E.g. {@code [#########.....................]  30%  clip 1/2  step 6/20  denoising  0:12 elapsed, ETA 0:28}. */
    static String render(Progress p) {
        double fraction = p.fraction();
        int filled = (int) Math.round(fraction * WIDTH);
        StringBuilder s = new StringBuilder("[").append("#".repeat(filled)).append(".".repeat(WIDTH - filled))
                .append("] ").append(String.format(Locale.ROOT, "%3d%%", Math.round(fraction * 100)));
        s.append(String.format(Locale.ROOT, "  clip %d/%d  step %d/%d  %-9s  %s elapsed", p.clip() + 1, p.clipCount(),
                p.step(), p.stepsPerClip(), stage(p.stage()), clock(p.elapsed())));
        if (p.stage() != Progress.Stage.FINISHED) {
            s.append(", ETA ").append(p.remaining().map(TerminalProgressBar::clock).orElse("--:--"));
        }
        return s.toString();
    }

    private static String stage(Progress.Stage stage) {
        return switch (stage) {
            case PREPARING -> "preparing";
            case ENCODING_CLIP -> "encoding";
            case DENOISING -> "denoising";
            case DECODING -> "decoding";
            case FINISHED -> "done";
        };
    }

    static String clock(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
