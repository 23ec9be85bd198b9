package io.github.wananimate.spi;

import io.github.wananimate.tensor.Shapes;

/**
 * The lifecycle every {@link DeviceTensor} shares: a fixed shape, an open flag, an idempotent thread-safe
 * {@link #close()} that calls {@link #release()} exactly once, and the "closed" failure of every read after it.
 * A backend's handle supplies only what it holds and how to free it.
 */
public abstract class AbstractDeviceTensor implements DeviceTensor {

    private final String description;
    private final long[] shape;
    private volatile boolean open = true;

    /**
     * @param kind  what the handle is, for messages (e.g. {@code "DJL device tensor"})
     * @param shape the tensor's shape (copied)
     * @param where the device it lives on, for messages; null when there is nothing to say
     */
    protected AbstractDeviceTensor(String kind, long[] shape, String where) {
        this.shape = shape.clone();
        this.description = kind + " " + Shapes.toString(shape) + (where == null ? "" : " on " + where);
    }

    /** Frees what the handle holds; called once, by the first {@link #close()}. */
    protected abstract void release();

    /** Throws the "closed" {@link IllegalStateException} once the handle is closed. */
    protected final void ensureOpen() {
        if (!open) {
            throw new IllegalStateException(description + " is closed");
        }
    }

    @Override
    public final long[] shape() {
        return shape.clone();
    }

    @Override
    public final boolean isOpen() {
        return open;
    }

    @Override
    public final synchronized void close() {
        if (open) {
            open = false;
            release();
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
