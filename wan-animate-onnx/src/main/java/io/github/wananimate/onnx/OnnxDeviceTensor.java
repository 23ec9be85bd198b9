package io.github.wananimate.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import io.github.wananimate.spi.AbstractDeviceTensor;
import io.github.wananimate.spi.DeviceTensor;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A {@link DeviceTensor} of the ONNX backend: an {@link OnnxTensor} that sessions of this backend read in place. Kept
 * outputs are the values ONNX Runtime allocated for the run (closing the handle returns their memory to the session
 * at once, with no garbage collection involved); uploads are tensors over a direct buffer held by the handle. ONNX
 * Runtime's Java API allocates no CUDA memory, so on its CUDA provider the values are host memory that the session
 * copies to and from the device on each run.
 */
final class OnnxDeviceTensor extends AbstractDeviceTensor {

    private final OnnxBackend owner;
    private final OnnxTensor tensor;

    OnnxDeviceTensor(OnnxBackend owner, long[] shape, OnnxTensor tensor) {
        super("ONNX device tensor", shape, owner.device());
        this.owner = owner;
        this.tensor = tensor;
    }

    /** A copy of {@code host} as float32 over a new direct buffer. */
    static OnnxDeviceTensor copyOf(OnnxBackend owner, HostTensor host) throws OrtException {
        ByteBuffer bytes = ByteBuffer.allocateDirect(Math.toIntExact(host.elementCount() * Float.BYTES))
                .order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(host.asFloatBuffer().duplicate());
        return new OnnxDeviceTensor(owner, host.shape(),
                OnnxTensor.createTensor(owner.environment(), bytes.asFloatBuffer(), host.shape()));
    }

    /** The tensor to feed a session of {@code reader}; null when this handle belongs to another backend. */
    OnnxTensor tensorFor(OnnxBackend reader) {
        if (reader != owner) {
            return null;
        }
        ensureOpen();
        return tensor;
    }

    /** A host copy, then the handle is closed: for outputs the caller asked for on the host. */
    HostTensor releaseToHost() {
        try {
            return toHost();
        } finally {
            close();
        }
    }

    @Override
    public HostTensor toHost() {
        ensureOpen();
        ByteBuffer copy = tensor.getByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        return HostTensor.of(DType.F32, shape(), copy);
    }

    @Override
    protected void release() {
        tensor.close();
    }
}
