package io.github.wananimate.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import io.github.wananimate.spi.DeviceTensor;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A {@link DeviceTensor} of the ONNX backend: an {@link OnnxTensor} over a direct buffer that this handle owns. A
 * session writes a kept output straight into it (a pinned output) and reads it as an input in place, so no copy is
 * made between calls on the CPU. ONNX Runtime's Java API allocates no CUDA memory, so on the CUDA provider the
 * buffer is host memory that the session copies to and from the device on each run.
 */
final class OnnxDeviceTensor implements DeviceTensor {

    private final OnnxBackend owner;
    private final long[] shape;
    private final ByteBuffer bytes;
    private final OnnxTensor tensor;
    private volatile boolean open = true;

    private OnnxDeviceTensor(OnnxBackend owner, long[] shape, ByteBuffer bytes, OnnxTensor tensor) {
        this.owner = owner;
        this.shape = shape;
        this.bytes = bytes;
        this.tensor = tensor;
    }

    /** A float32 tensor of {@code shape} over a new zeroed direct buffer (to be written by a session). */
    static OnnxDeviceTensor allocate(OnnxBackend owner, long[] shape) throws OrtException {
        ByteBuffer bytes = ByteBuffer.allocateDirect(Math.toIntExact(Shapes.elementCount(shape) * Float.BYTES))
                .order(ByteOrder.LITTLE_ENDIAN);
        return new OnnxDeviceTensor(owner, shape.clone(), bytes,
                OnnxTensor.createTensor(owner.environment(), bytes.asFloatBuffer(), shape));
    }

    /** A copy of {@code host} as float32. */
    static OnnxDeviceTensor copyOf(OnnxBackend owner, HostTensor host) throws OrtException {
        OnnxDeviceTensor t = allocate(owner, host.shape());
        t.bytes.asFloatBuffer().put(host.asFloatBuffer().duplicate());
        return t;
    }

    /** The tensor to feed a session of {@code reader}; null when this handle belongs to another backend. */
    OnnxTensor tensorFor(OnnxBackend reader) {
        if (reader != owner) {
            return null;
        }
        ensureOpen();
        return tensor;
    }

    /** The session's value of this handle as a pinned output. */
    OnnxTensor pinned() {
        return tensor;
    }

    /**
     * The buffer itself as a host tensor, for outputs the caller asked for on the host: the handle is closed (the
     * ONNX Runtime value released) and the buffer lives on as the host tensor's memory.
     */
    HostTensor releaseToHost() {
        close();
        return HostTensor.of(DType.F32, shape, bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN));
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public HostTensor toHost() {
        ensureOpen();
        ByteBuffer copy = ByteBuffer.allocateDirect(bytes.capacity()).order(ByteOrder.LITTLE_ENDIAN);
        copy.put(bytes.duplicate().clear());
        copy.flip();
        return HostTensor.of(DType.F32, shape, copy);
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public synchronized void close() {
        if (open) {
            open = false;
            tensor.close();
        }
    }

    private void ensureOpen() {
        if (!open) {
            throw new IllegalStateException("ONNX device tensor " + Shapes.toString(shape) + " is closed");
        }
    }

    @Override
    public String toString() {
        return "ONNX device tensor " + Shapes.toString(shape) + " on " + owner.device();
    }
}
