package io.github.wananimate.spi;

import io.github.wananimate.nn.Network;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.ParameterSource;
import java.util.Objects;
import java.util.Set;

/**
 * A backend that hands every call to another one: the base of decorators that watch or change a few calls (a
 * meter, a cache, a recorder) and leave the rest alone. Binding goes through {@link #wrap}, which a decorator
 * overrides to decorate the networks it binds.
 */
public abstract class ForwardingBackend implements Backend {

    private final Backend delegate;

    /** @param delegate the backend every call goes to */
    protected ForwardingBackend(Backend delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** {@return the backend every call goes to} */
    protected final Backend delegate() {
        return delegate;
    }

    /**
     * Called with every network this backend binds; the default returns it as it is.
     *
     * @param network the network
     * @param loaded the delegate's bound network
     * @return what callers get
     */
    protected LoadedNetwork wrap(Network network, LoadedNetwork loaded) {
        return loaded;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public String device() {
        return delegate.device();
    }

    @Override
    public LoadedNetwork load(Network network, ParameterSource weights) {
        return wrap(network, delegate.load(network, weights));
    }

    @Override
    public LoadedNetwork load(Network network, ParameterSource weights, Set<String> streamedGroups) {
        return wrap(network, delegate.load(network, weights, streamedGroups));
    }

    @Override
    public boolean streamsParameterGroups() {
        return delegate.streamsParameterGroups();
    }

    @Override
    public boolean keepsFloat8Codes() {
        return delegate.keepsFloat8Codes();
    }

    @Override
    public int heldBytesPerElement(DType stored) {
        return delegate.heldBytesPerElement(stored);
    }

    @Override
    public DeviceTensor upload(HostTensor host) {
        return delegate.upload(host);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
