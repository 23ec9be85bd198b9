package io.github.wananimate.memory;

/** A device-memory budget that cannot hold what a run needs; the message names the minimum. */
public final class MemoryBudgetException extends IllegalArgumentException {

    private final long minimumBytes;

    public MemoryBudgetException(String message, long minimumBytes) {
        super(message);
        this.minimumBytes = minimumBytes;
    }

    /** {@return the smallest budget that would be accepted} */
    public long minimumBytes() {
        return minimumBytes;
    }
}
