package io.github.wananimate.pipeline;

import io.github.wananimate.nn.Network;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.weights.ParameterSource;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A network bound on its backend when acquired and released after each use (see {@link NetworkHandle}). */
public final class OnDemandNetwork implements NetworkHandle, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OnDemandNetwork.class);

    private final Backend backend;
    private final Network network;
    private final ParameterSource weights;
    private LoadedNetwork bound;
    private int binds;

    /**
     * @param backend where it binds
     * @param network the network
     * @param weights its weights (not closed here)
     */
    public OnDemandNetwork(Backend backend, Network network, ParameterSource weights) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.network = Objects.requireNonNull(network, "network");
        this.weights = Objects.requireNonNull(weights, "weights");
    }

    @Override
    public synchronized LoadedNetwork acquire() {
        if (bound == null) {
            bound = backend.load(network, weights);
            binds++;
            LOG.debug("{} bound on demand on {} ({})", network.name(), backend.name(), backend.device());
        }
        return bound;
    }

    @Override
    public synchronized void release() {
        if (bound != null) {
            bound.close();
            bound = null;
        }
    }

    /** {@return whether the network is bound now} */
    public synchronized boolean isBound() {
        return bound != null;
    }

    /** {@return how many times the network was bound} */
    public synchronized int bindCount() {
        return binds;
    }

    @Override
    public void close() {
        release();
    }
}
