package io.github.wananimate.api;

/**
 * A flag another thread sets to stop a generation. The pipeline checks it between model calls, so a cancelled
 * run stops within one denoising step and throws {@link GenerationCancelledException}.
 */
public final class CancellationToken {

    private volatile boolean cancelled;
    private volatile String reason = "cancelled";

    /** A token not yet cancelled. */
    public CancellationToken() {
    }

    /** Asks the generation to stop. Idempotent. */
    public void cancel() {
        cancel("cancelled");
    }

    /**
     * Asks the generation to stop. Idempotent; the last reason is kept.
     *
     * @param why the message of the {@link GenerationCancelledException}
     */
    public void cancel(String why) {
        reason = why;
        cancelled = true;
    }

    /** {@return whether {@link #cancel} has been called} */
    public boolean isCancelled() {
        return cancelled;
    }

    /** @throws GenerationCancelledException when {@link #cancel} has been called */
    public void throwIfCancelled() {
        if (cancelled) {
            throw new GenerationCancelledException(reason);
        }
    }
}
