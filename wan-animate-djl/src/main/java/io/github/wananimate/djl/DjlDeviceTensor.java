package io.github.wananimate.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.github.wananimate.spi.DeviceTensor;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;

/**
 * A {@link DeviceTensor} of the DJL backend: one NDArray on the backend's device in an {@link NDManager} of its own
 * (a child of the backend's root), so that {@link #close()} frees exactly this array, and closing the backend frees
 * any handle still open.
 */
final class DjlDeviceTensor implements DeviceTensor {

    private final DjlBackend owner;
    private final NDManager manager;
    private final NDArray array;
    private final long[] shape;
    private volatile boolean open = true;

    private DjlDeviceTensor(DjlBackend owner, NDManager manager, NDArray array) {
        this.owner = owner;
        this.manager = manager;
        this.array = array;
        this.shape = array.getShape().getShape();
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

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public HostTensor toHost() {
        ensureOpen();
        return DjlOps.toHost(new DjlTensor(array));
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public synchronized void close() {
        if (open) {
            open = false;
            manager.close();
        }
    }

    private void ensureOpen() {
        if (!open) {
            throw new IllegalStateException("DJL device tensor " + Shapes.toString(shape) + " is closed");
        }
    }

    @Override
    public String toString() {
        return "DJL device tensor " + Shapes.toString(shape) + " on " + owner.device();
    }
}
