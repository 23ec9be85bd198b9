package io.github.wananimate.spi;

import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;

/** {@link DeviceTensor#onHost}: a handle over a host tensor; closing drops the reference. */
final class HostResidentTensor implements DeviceTensor {

    private final long[] shape;
    private volatile HostTensor host;

    HostResidentTensor(HostTensor host) {
        this.shape = host.shape();
        this.host = host;
    }

    /** The held tensor itself (no copy); fails once closed. */
    HostTensor host() {
        HostTensor h = host;
        if (h == null) {
            throw new IllegalStateException("device tensor " + Shapes.toString(shape) + " is closed");
        }
        return h;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public HostTensor toHost() {
        return host().toF32();
    }

    @Override
    public boolean isOpen() {
        return host != null;
    }

    @Override
    public void close() {
        host = null;
    }

    @Override
    public String toString() {
        return "host-resident tensor " + Shapes.toString(shape);
    }
}
