package io.github.wananimate.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.DTypeConversions;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.Float8Tensor;
import io.github.wananimate.weights.ParameterSource;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Optional;

/**
 * How a weight stored in a given dtype is held in a DJL array: float32 as float32, f16 as f16, and bf16 as float32
 * holding the bf16 values (DJL 0.36's PyTorch JNI has no BFLOAT16, see {@link DjlOps}); a float8 checkpoint tensor
 * as its codes ({@code UINT8}) with a 256-entry table in the stored dtype's form ({@link DeviceWeight}). The one
 * place that turns a checkpoint tensor of any dtype into those bytes, for resident and streamed weights alike.
 *
 * @param host the checkpoint tensor: float8 codes when {@code table} is set, else the values
 * @param stored the dtype the network stores the weight in
 * @param table null, or the float8 table rounded to {@code stored}
 */
record ArrayForm(HostTensor host, DType stored, HostTensor table) {

    /** The form of {@code key}: its float8 codes and table when the source has them, else its values. */
    static ArrayForm of(ParameterSource weights, String key, DType stored) {
        Optional<Float8Tensor> float8 = weights.float8(key);
        if (float8.isEmpty()) {
            return new ArrayForm(weights.get(key), stored, null);
        }
        float[] table = float8.get().table();
        ByteBuffer values = ByteBuffer.allocate(table.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        values.asFloatBuffer().put(table);
        return new ArrayForm(float8.get().stored(), stored, HostTensor.of(DType.F32, new long[] {table.length}, values));
    }

    long[] shape() {
        return host.shape();
    }

    /** Bytes of the weight's array (the codes of a float8 weight). */
    long byteSize() {
        return table == null ? byteSize(host, stored) : host.elementCount();
    }

    /**
     * The checkpoint bytes of this weight, as {@link io.github.wananimate.spi.LoadedNetwork#hostDeviceBytes} counts a
     * streamed upload: a float8 weight's codes (its 256-entry table is not counted), else the tensor as the source
     * holds it.
     */
    long storedBytes() {
        return host.byteSize();
    }

    /** Writes the weight's array bytes (at least {@link #byteSize()}) into {@code target}. */
    void write(ByteBuffer target) {
        if (table == null) {
            write(host, stored, target);
        } else {
            target.duplicate().position(0).put(host.data().duplicate());
        }
    }

    /** The weight on the device, its array made from {@code bytes} (written by {@link #write}). */
    DeviceWeight upload(NDManager manager, ByteBuffer bytes, String key) {
        NDArray array = manager.create(bytes, new Shape(host.shape()), table == null ? dataType(stored) : DataType.UINT8);
        array.setName(key);
        if (table == null) {
            return DeviceWeight.ready(array);
        }
        ByteBuffer tableBytes = ByteBuffer.allocateDirect((int) byteSize(table, stored)).order(ByteOrder.LITTLE_ENDIAN);
        write(table, stored, tableBytes);
        // on the CPU an array wraps a direct buffer without copying it: the table gets storage of its own
        try (NDArray wrapped = manager.create(tableBytes, new Shape(table.shape()), dataType(stored))) {
            return new DeviceWeight(array, wrapped.duplicate());
        }
    }

    static DataType dataType(DType stored) {
        return DjlOps.dataType(stored);
    }

    /** Bytes per element of a weight stored in {@code stored}, held in its array form. */
    static int heldBytesPerElement(DType stored) {
        return dataType(stored).getNumOfBytes();
    }

    /** Bytes of {@code host} in {@code stored}'s array form. */
    private static long byteSize(HostTensor host, DType stored) {
        return host.elementCount() * heldBytesPerElement(stored);
    }

    /**
     * Writes {@code host} into {@code target} (little-endian, from index 0, at least {@link #byteSize} bytes) in
     * {@code stored}'s array form, rounding to nearest even where {@code stored} is narrower than the checkpoint.
     */
    private static void write(HostTensor host, DType stored, ByteBuffer target) {
        ByteBuffer out = target.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(0);
        int n = Math.toIntExact(host.elementCount());
        if (stored == DType.F16) {
            if (host.dtype() == DType.F16) {
                out.put(host.data().duplicate());
            } else {
                float[] values = host.toFloatArray();
                for (int i = 0; i < n; i++) {
                    out.putShort(2 * i, DTypeConversions.floatToF16(values[i]));
                }
            }
            return;
        }
        FloatBuffer floats = out.asFloatBuffer();
        DTypeConversions.toFloats(host.dtype(), host.data(), floats);
        if (stored == DType.BF16 && host.dtype() != DType.BF16) {
            for (int i = 0; i < n; i++) {
                out.putInt(4 * i, (DTypeConversions.floatToBf16(out.getFloat(4 * i)) & 0xffff) << 16);
            }
        }
    }
}
