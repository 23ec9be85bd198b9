package io.github.wananimate.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.github.wananimate.spi.AbstractDeviceTensor;
import io.github.wananimate.spi.DeviceTensor;
import io.github.wananimate.tensor.HostTensor;

/**
 * A {@link DeviceTensor} of the DJL backend: one NDArray on the backend's device in an {@link NDManager} of its own
 * (a child of the backend's root), so that {@link #close()} frees exactly this array, and closing the backend frees
 * any handle still open.
 */
final class DjlDeviceTensor extends AbstractDeviceTensor {

    private final DjlBackend owner;
    private final NDManager manager;
    private final NDArray array;

    private DjlDeviceTensor(DjlBackend owner, NDManager manager, NDArray array) {
        super("DJL device tensor", array.getShape().getShape(), owner.device());
        this.owner = owner;
        this.manager = manager;
        this.array = array;
    }

    /**
     * Keeps {@code array} as a handle of {@code owner}: moved into the handle's own manager when it belongs to the
     * closing {@code call} manager (a result of the call), copied when it belongs to anything else (a weight or an
     * input that outlives the call).
     */
    static DjlDeviceTensor keep(DjlBackend owner, NDArray array, NDManager call) {
        NDManager own = owner.newResidentManager();
        try {
            NDArray kept = array.getManager() == call ? array : array.duplicate();
            kept.attach(own);
            return new DjlDeviceTensor(owner, own, kept);
        } catch (RuntimeException e) {
            own.close();
            throw e;
        }
    }

    /** Wraps a new array created in {@code own}, a manager made for this handle alone. */
    static DjlDeviceTensor created(DjlBackend owner, NDManager own, NDArray array) {
        return new DjlDeviceTensor(owner, own, array);
    }

    /** The array, for a run of {@code reader}'s networks; null when this handle belongs to another backend. */
    NDArray arrayFor(DjlBackend reader) {
        if (reader != owner) {
            return null;
        }
        ensureOpen();
        return array;
    }

    /**
     * Hands the array over to {@code reader}'s {@code call} manager and closes this handle without freeing it, so
     * that the call may free it early ({@link DjlOps#release}) and frees it at the latest when it ends; null, with
     * the handle untouched, when this handle belongs to another backend.
     */
    NDArray handOver(DjlBackend reader, NDManager call) {
        if (reader != owner) {
            return null;
        }
        ensureOpen();
        array.attach(call);
        close();
        return array;
    }

    @Override
    public HostTensor toHost() {
        ensureOpen();
        return DjlOps.toHost(new DjlTensor(array));
    }

    @Override
    protected void release() {
        manager.close();
    }
}
