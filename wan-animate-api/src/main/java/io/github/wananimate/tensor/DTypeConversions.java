package io.github.wananimate.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Exact conversions between checkpoint dtypes and float32. */
public final class DTypeConversions {

    private DTypeConversions() {
    }

    /** Converts {@code bytes} (little-endian, {@code dtype}) to float32 values. */
    public static float[] toFloatArray(DType dtype, ByteBuffer bytes) {
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = Math.toIntExact(b.remaining() / dtype.byteSize());
        float[] out = new float[n];
        switch (dtype) {
            case F32 -> b.asFloatBuffer().get(out);
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) b.getDouble();
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = bf16ToFloat(b.getShort());
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out[i] = f16ToFloat(b.getShort());
                }
            }
            default -> throw new UnsupportedOperationException("conversion from " + dtype + " to float32");
        }
        return out;
    }

    /** bfloat16 bits to float32 (exact: bf16 is the upper half of a float32). */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** float32 to bfloat16 bits, round to nearest even; NaN stays a quiet NaN. */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** IEEE binary16 bits to float32 (exact, subnormals, infinities and NaN included). */
    public static float f16ToFloat(short bits) {
        int h = bits & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exp = (h >>> 10) & 0x1f;
        int mant = h & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            float magnitude = mant * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
