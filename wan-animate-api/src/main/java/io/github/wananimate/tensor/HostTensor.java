package io.github.wananimate.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * A tensor in host memory: dtype, shape and little-endian bytes in row-major order. The bytes may be a
 * slice of a memory-mapped checkpoint file (then nothing is read until they are touched).
 *
 * <p>Instances are immutable views: {@link #data()} returns a read-only duplicate.
 */
public final class HostTensor {

    private final DType dtype;
    private final long[] shape;
    private final ByteBuffer data;

    private HostTensor(DType dtype, long[] shape, ByteBuffer data) {
        this.dtype = dtype;
        this.shape = shape.clone();
        long expected = Shapes.elementCount(shape) * dtype.byteSize();
        if (data.remaining() != expected) {
            throw new IllegalArgumentException("tensor of dtype " + dtype + " and shape " + Arrays.toString(shape)
                    + " needs " + expected + " bytes, got " + data.remaining());
        }
        this.data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Wraps little-endian bytes (not copied).
     *
     * @param dtype the element type
     * @param shape the shape
     * @param littleEndianBytes exactly the elements
     * @return the tensor
     */
    public static HostTensor of(DType dtype, long[] shape, ByteBuffer littleEndianBytes) {
        return new HostTensor(dtype, shape, littleEndianBytes);
    }

    /**
     * A float32 tensor copied from {@code values}.
     *
     * @param shape the shape
     * @param values row-major values
     * @return the tensor
     */
    public static HostTensor ofFloats(long[] shape, float[] values) {
        ByteBuffer buf = ByteBuffer.allocateDirect(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values);
        return new HostTensor(DType.F32, shape, buf);
    }

    /**
     * A float32 tensor that takes over {@code values} as its storage (direct buffer expected).
     *
     * @param shape the shape
     * @param values row-major values
     * @return the tensor
     */
    public static HostTensor wrapFloats(long[] shape, FloatBuffer values) {
        if (!values.isDirect() || values.order() != ByteOrder.LITTLE_ENDIAN) {
            float[] copy = new float[values.remaining()];
            values.duplicate().get(copy);
            return ofFloats(shape, copy);
        }
        ByteBuffer bytes = byteView(values);
        return new HostTensor(DType.F32, shape, bytes);
    }

    /**
     * @param shape the shape
     * @return a float32 tensor of zeros
     */
    public static HostTensor zeros(long... shape) {
        return ofFloats(shape, new float[Math.toIntExact(Shapes.elementCount(shape))]);
    }

    /**
     * @return the element type
     */
    public DType dtype() {
        return dtype;
    }

    /**
     * @return a copy of the shape
     */
    public long[] shape() {
        return shape.clone();
    }

    /**
     * @return the number of axes
     */
    public int rank() {
        return shape.length;
    }

    /**
     * @return the number of elements
     */
    public long elementCount() {
        return Shapes.elementCount(shape);
    }

    /**
     * @return the size in bytes
     */
    public long byteSize() {
        return data.remaining();
    }

    /** {@return the raw little-endian bytes (read-only view)} */
    public ByteBuffer data() {
        return data.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** {@return the values converted to float32 (a copy)} */
    public float[] toFloatArray() {
        return DTypeConversions.toFloatArray(dtype, data());
    }

    /**
     * The values as a little-endian float32 buffer: the tensor's own bytes when it is already F32 (no copy),
     * otherwise a converted direct copy.
     *
     * @return the values
     */
    public FloatBuffer asFloatBuffer() {
        if (dtype == DType.F32) {
            return data().asFloatBuffer();
        }
        // straight into the direct buffer: a heap float[] on the way would leave a weight-sized garbage array
        ByteBuffer buf = ByteBuffer.allocateDirect(Math.multiplyExact(Math.toIntExact(elementCount()), Float.BYTES))
                .order(ByteOrder.LITTLE_ENDIAN);
        DTypeConversions.toFloats(dtype, data(), buf.asFloatBuffer());
        return buf.asFloatBuffer();
    }

    /** {@return this tensor converted to float32 (itself when already F32)} */
    public HostTensor toF32() {
        if (dtype == DType.F32) {
            return this;
        }
        return ofFloats(shape, toFloatArray());
    }

    /**
     * The same bytes under another shape with the same element count.
     *
     * @param newShape the new shape, same element count
     * @return the reshaped view
     */
    public HostTensor reshape(long... newShape) {
        if (Shapes.elementCount(newShape) != elementCount()) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to "
                    + Arrays.toString(newShape));
        }
        return new HostTensor(dtype, newShape, data);
    }

    @Override
    public String toString() {
        return "HostTensor{" + dtype + " " + Arrays.toString(shape) + "}";
    }

    private static ByteBuffer byteView(FloatBuffer values) {
        // A direct little-endian FloatBuffer created by ByteBuffer.asFloatBuffer(): copy into a fresh
        // direct byte buffer, since the JDK offers no public way back to its bytes.
        ByteBuffer buf = ByteBuffer.allocateDirect(values.remaining() * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(values.duplicate());
        return buf;
    }
}
