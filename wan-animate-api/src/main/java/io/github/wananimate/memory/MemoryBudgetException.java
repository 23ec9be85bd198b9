package io.github.wananimate.memory;

/** A device-memory budget that cannot hold what a run needs; the message names the minimum. */
public final class MemoryBudgetException extends IllegalArgumentException {

    /** The smallest budget that works, in bytes. */
    private final long minimumBytes;

    /**
     * A budget too small.
     *
     * @param message what does not fit, and the minimum
     * @param minimumBytes the smallest budget that works
     */
    public MemoryBudgetException(String message, long minimumBytes) {
        super(message);
        this.minimumBytes = minimumBytes;
    }

    /** {@return the smallest budget that would be accepted} */
    public long minimumBytes() {
        return minimumBytes;
    }
}
