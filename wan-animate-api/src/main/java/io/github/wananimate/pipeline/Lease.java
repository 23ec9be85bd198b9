package io.github.wananimate.pipeline;

import java.util.function.Function;

/**
 * A bound network (or a pair, such as the VAE's encoder and decoder) that the pipeline uses for moments of a
 * generation: either bound for the whole run ({@link #resident}) or bound when acquired and released when its use
 * ends ({@link OnDemand}), so that under a memory budget its weights share the room the DiT's activations take
 * while it denoises.
 *
 * @param <T> what is bound
 */
public interface Lease<T> {

    /** {@return the bound network, binding it first when it is bound on demand} */
    T acquire();

    /** Ends a use: what is bound on demand is released here. */
    default void release() {
    }

    /**
     * One use: acquires, runs {@code body} on what is bound, and releases, also when the body fails.
     *
     * @param <R> the body's result
     * @param body the use
     * @return what the body returned
     */
    default <R> R use(Function<T, R> body) {
        try {
            return body.apply(acquire());
        } finally {
            release();
        }
    }

    /**
     * What stays bound for the whole run; {@link #release} keeps it.
     *
     * @param <T> what is bound
     * @param bound the bound network (closed by its owner)
     * @return the lease
     */
    static <T> Lease<T> resident(T bound) {
        return () -> bound;
    }
}
