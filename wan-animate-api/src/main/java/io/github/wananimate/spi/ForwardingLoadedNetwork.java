package io.github.wananimate.spi;

import io.github.wananimate.tensor.HostTensor;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * A bound network that hands every call to another one: the base of decorators (see {@link ForwardingBackend}).
 * Each run method forwards to the same method of the delegate, so a decorator that observes runs overrides all
 * three ({@code run(Map)}, {@code run(Map, Map, Predicate)} and {@code runConsuming}).
 */
public abstract class ForwardingLoadedNetwork implements LoadedNetwork {

    private final LoadedNetwork delegate;

    /** @param delegate the network every call goes to */
    protected ForwardingLoadedNetwork(LoadedNetwork delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /** {@return the network every call goes to} */
    protected final LoadedNetwork delegate() {
        return delegate;
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public Map<String, HostTensor> run(Map<String, HostTensor> inputs) {
        return delegate.run(inputs);
    }

    @Override
    public RunOutputs run(Map<String, HostTensor> inputs, Map<String, DeviceTensor> deviceInputs,
            Predicate<String> keepOnDevice) {
        return delegate.run(inputs, deviceInputs, keepOnDevice);
    }

    @Override
    public RunOutputs runConsuming(Map<String, HostTensor> inputs, Map<String, DeviceTensor> consumed,
            Predicate<String> keepOnDevice) {
        return delegate.runConsuming(inputs, consumed, keepOnDevice);
    }

    @Override
    public long hostDeviceBytes() {
        return delegate.hostDeviceBytes();
    }

    @Override
    public void close() {
        delegate.close();
    }
}
