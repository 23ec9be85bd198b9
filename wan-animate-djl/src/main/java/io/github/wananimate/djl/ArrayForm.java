package io.github.wananimate.djl;

import ai.djl.ndarray.types.DataType;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.DTypeConversions;
import io.github.wananimate.tensor.HostTensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * How a weight stored in a given dtype is held in a DJL array: float32 as float32, f16 as f16, and bf16 as float32
 * holding the bf16 values (DJL 0.36's PyTorch JNI has no BFLOAT16, see {@link DjlOps}). The one place that turns a
 * checkpoint tensor of any dtype into those bytes, for resident and streamed weights alike.
 */
final class ArrayForm {

    private ArrayForm() {
    }

    static DataType dataType(DType stored) {
        return DjlOps.dataType(stored);
    }

    static int bytesPerElement(DType stored) {
        return stored == DType.F16 ? 2 : 4;
    }

    /** Bytes of {@code host} in {@code stored}'s array form. */
    static long byteSize(HostTensor host, DType stored) {
        return host.elementCount() * bytesPerElement(stored);
    }

    /**
     * Writes {@code host} into {@code target} (little-endian, from index 0, at least {@link #byteSize} bytes) in
     * {@code stored}'s array form, rounding to nearest even where {@code stored} is narrower than the checkpoint.
     */
    static void write(HostTensor host, DType stored, ByteBuffer target) {
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
