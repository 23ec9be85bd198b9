package io.github.wananimate.pipeline;

import io.github.wananimate.io.Closeables;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds when acquired and releases after each use (see {@link Lease}).
 *
 * @param <T> what is bound
 */
public final class OnDemand<T extends AutoCloseable> implements Lease<T>, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OnDemand.class);

    private final String what;
    private final Supplier<T> bind;
    private T bound;
    private int binds;

    /**
     * @param what what is bound, for the log
     * @param bind binds it (on its backend, to its weights)
     */
    public OnDemand(String what, Supplier<T> bind) {
        this.what = Objects.requireNonNull(what, "what");
        this.bind = Objects.requireNonNull(bind, "bind");
    }

    @Override
    public synchronized T acquire() {
        if (bound == null) {
            bound = bind.get();
            binds++;
            LOG.debug("{} bound on demand", what);
        }
        return bound;
    }

    @Override
    public synchronized void release() {
        if (bound != null) {
            T held = bound;
            bound = null;
            RuntimeException failure = Closeables.close(held, null);
            if (failure != null) {
                throw failure;
            }
        }
    }

    /** {@return whether it is bound now} */
    public synchronized boolean isBound() {
        return bound != null;
    }

    /** {@return how many times it was bound} */
    public synchronized int bindCount() {
        return binds;
    }

    @Override
    public void close() {
        release();
    }
}
