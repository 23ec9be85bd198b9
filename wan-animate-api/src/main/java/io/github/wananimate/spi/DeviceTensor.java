package io.github.wananimate.spi;

import io.github.wananimate.tensor.HostTensor;
import java.util.Objects;

/**
 * A float32 tensor held by a backend between network calls: state such as a VAE's causal cache or a sampler's
 * latents that {@link LoadedNetwork#run(java.util.Map, java.util.Map, java.util.function.Predicate)} takes as an
 * input and hands back as an output without copying it to the host and back.
 *
 * <p>The caller owns every handle it receives and must {@link #close()} it; closing frees the backend memory at
 * once (not when the garbage collector runs) and is idempotent. A closed handle may not be read or passed to a run.
 * A handle belongs to the backend that made it; a run of that backend's networks reads it in place, and a handle of
 * another backend is read through {@link #toHost()} (one copy).
 */
public interface DeviceTensor extends AutoCloseable {

    /** {@return the shape; valid after {@link #close()}} */
    long[] shape();

    /**
     * {@return the values on the host as float32 (a copy, except for {@link #onHost} handles, which return what they hold)}
     */
    HostTensor toHost();

    /** {@return false once closed} */
    boolean isOpen();

    /** Frees the backend memory now; further calls do nothing. */
    @Override
    void close();

    /**
     * A handle over a host tensor: what a backend without device memory of its own hands out (the default of
     * {@link Backend#upload} and of the resident {@code run}). Holds {@code host} without copying it.
     *
     * @param host the tensor held
     * @return the handle
     */
    static DeviceTensor onHost(HostTensor host) {
        return new HostResidentTensor(Objects.requireNonNull(host, "host"));
    }

    /**
     * Closes every handle, also when one of them fails to close (the first failure is rethrown).
     *
     * @param tensors the handles
     */
    static void closeAll(Iterable<? extends DeviceTensor> tensors) {
        RuntimeException failure = null;
        for (DeviceTensor t : tensors) {
            try {
                if (t != null) {
                    t.close();
                }
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
