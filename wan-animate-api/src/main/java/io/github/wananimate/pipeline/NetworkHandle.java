package io.github.wananimate.pipeline;

import io.github.wananimate.spi.LoadedNetwork;

/**
 * A network the pipeline uses for a moment of the generation (the CLIP tower, once per generation): either bound
 * for the whole run ({@link #resident}) or bound when acquired and released when its use ends
 * ({@link OnDemandNetwork}), so that under a memory budget its weights share the room the DiT's activations use
 * later.
 */
public interface NetworkHandle {

    /** {@return the bound network, binding it first when it is bound on demand} */
    LoadedNetwork acquire();

    /** Ends a use: a network bound on demand is released here. */
    default void release() {
    }

    /**
     * A network bound for the whole run; {@link #release} keeps it.
     *
     * @param network the bound network (closed by its owner)
     * @return the handle
     */
    static NetworkHandle resident(LoadedNetwork network) {
        return () -> network;
    }
}
