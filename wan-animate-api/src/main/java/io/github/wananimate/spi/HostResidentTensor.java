package io.github.wananimate.spi;

import io.github.wananimate.tensor.HostTensor;

/** {@link DeviceTensor#onHost}: a handle over a host tensor; closing drops the reference. */
final class HostResidentTensor extends AbstractDeviceTensor {

    private volatile HostTensor host;

    HostResidentTensor(HostTensor host) {
        super("host-resident tensor", host.shape(), null);
        this.host = host;
    }

    /** The held tensor itself (no copy); fails once closed. */
    HostTensor host() {
        HostTensor h = host;
        if (h == null) {
            ensureOpen();   // closed: release() runs after the flag is cleared, so this throws
        }
        return h;
    }

    @Override
    public HostTensor toHost() {
        return host().toF32();
    }

    @Override
    protected void release() {
        host = null;
    }
}
