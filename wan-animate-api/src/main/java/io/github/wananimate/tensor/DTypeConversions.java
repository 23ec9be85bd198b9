package io.github.wananimate.tensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Exact conversions from every checkpoint dtype to float32, and rounding conversions (round to nearest even)
 * from float32 to the 16-bit float formats.
 */
public final class DTypeConversions {

    private DTypeConversions() {
    }

    /**
     * Converts {@code bytes} (little-endian, {@code dtype}) to float32 values.
     *
     * @param dtype the element type
     * @param bytes the elements, from position to limit
     * @return the values
     */
    public static float[] toFloatArray(DType dtype, ByteBuffer bytes) {
        float[] out = new float[elementCount(dtype, bytes)];
        toFloats(dtype, bytes, FloatBuffer.wrap(out));
        return out;
    }

    /**
     * Converts {@code bytes} (little-endian, {@code dtype}) to float32 values written into {@code out} from its
     * position (a direct buffer, say, so that no heap copy of a large weight is made on the way).
     *
     * @param dtype the element type
     * @param bytes the elements, from position to limit
     * @param out receives the values
     */
    public static void toFloats(DType dtype, ByteBuffer bytes, FloatBuffer out) {
        ByteBuffer b = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = elementCount(dtype, bytes);
        if (out.remaining() < n) {
            throw new IllegalArgumentException(n + " " + dtype + " elements do not fit " + out.remaining() + " floats");
        }
        switch (dtype) {
            case F32 -> out.put(b.asFloatBuffer());
            case F64 -> {
                for (int i = 0; i < n; i++) {
                    out.put((float) b.getDouble());
                }
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) {
                    out.put(bf16ToFloat(b.getShort()));
                }
            }
            case F16 -> {
                for (int i = 0; i < n; i++) {
                    out.put(f16ToFloat(b.getShort()));
                }
            }
            case F8_E4M3 -> {
                for (int i = 0; i < n; i++) {
                    out.put(f8e4m3fnToFloat(b.get()));
                }
            }
            case F8_E5M2 -> {
                for (int i = 0; i < n; i++) {
                    out.put(f8e5m2ToFloat(b.get()));
                }
            }
            case I64 -> {
                for (int i = 0; i < n; i++) {
                    out.put((float) b.getLong());
                }
            }
            case I32 -> {
                for (int i = 0; i < n; i++) {
                    out.put((float) b.getInt());
                }
            }
            case I16 -> {
                for (int i = 0; i < n; i++) {
                    out.put(b.getShort());
                }
            }
            case I8 -> {
                for (int i = 0; i < n; i++) {
                    out.put(b.get());
                }
            }
            case U8 -> {
                for (int i = 0; i < n; i++) {
                    out.put(b.get() & 0xff);
                }
            }
            case BOOL -> {
                for (int i = 0; i < n; i++) {
                    out.put(b.get() != 0 ? 1f : 0f);
                }
            }
            default -> throw new UnsupportedOperationException("conversion from " + dtype + " to float32");
        }
    }

    private static int elementCount(DType dtype, ByteBuffer bytes) {
        if (bytes.remaining() % dtype.byteSize() != 0) {
            throw new IllegalArgumentException(bytes.remaining() + " bytes is not a whole number of " + dtype
                    + " elements");
        }
        return Math.toIntExact(bytes.remaining() / dtype.byteSize());
    }

    /**
     * Encodes float32 values as little-endian {@code dtype} bytes (a new heap buffer). Supported targets: F64,
     * F32 (exact), F16, BF16, F8_E4M3 and F8_E5M2 (round to nearest even).
     *
     * @param dtype the target type
     * @param values the values
     * @return the encoded bytes
     */
    public static ByteBuffer fromFloatArray(DType dtype, float[] values) {
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, dtype.byteSize()))
                .order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F64 -> {
                for (float v : values) {
                    b.putDouble(v);
                }
            }
            case F32 -> b.asFloatBuffer().put(values);
            case F16 -> {
                for (float v : values) {
                    b.putShort(floatToF16(v));
                }
            }
            case BF16 -> {
                for (float v : values) {
                    b.putShort(floatToBf16(v));
                }
            }
            case F8_E4M3 -> {
                for (float v : values) {
                    b.put(floatToF8e4m3fn(v));
                }
            }
            case F8_E5M2 -> {
                for (float v : values) {
                    b.put(floatToF8e5m2(v));
                }
            }
            default -> throw new UnsupportedOperationException("conversion from float32 to " + dtype);
        }
        return b.rewind();
    }

    /**
     * {@return bfloat16 bits to float32 (exact: bf16 is the upper half of a float32)}
     *
     * @param bits the bfloat16 bits
     */
    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /**
     * {@return float32 to bfloat16 bits, round to nearest even; NaN stays a quiet NaN}
     *
     * @param value the value
     */
    public static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /**
     * {@return IEEE binary16 bits to float32 (exact, subnormals, infinities and NaN included)}
     *
     * @param bits the binary16 bits
     */
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

    /**
     * float32 to IEEE binary16 bits, round to nearest even: values from 65520 up overflow to infinity, values
     * below 2^-14 become subnormals (or a signed zero), NaN stays a quiet NaN.
     *
     * @param value the value
     * @return the result
     */
    public static short floatToF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs >= 0x7f800000) {
            if (abs > 0x7f800000) {
                return (short) (sign | 0x7e00 | ((abs >>> 13) & 0x3ff));
            }
            return (short) (sign | 0x7c00);
        }
        if (abs >= 0x477ff000) { // 65520 = halfway between 65504 (max) and 65536: ties to even give infinity
            return (short) (sign | 0x7c00);
        }
        if (abs >= 0x38800000) { // normal in binary16 (>= 2^-14): rebias the exponent, round the mantissa
            int rebiased = abs - (112 << 23);
            int rounded = (rebiased + 0xfff + ((rebiased >>> 13) & 1)) >>> 13;
            return (short) (sign | rounded);
        }
        // Subnormal in binary16: a multiple of 2^-24. Scaling by 2^24 is exact; rint rounds half to even.
        int multiple = (int) Math.rint(Float.intBitsToFloat(abs) * 0x1p24);
        return (short) (sign | multiple);
    }

    /**
     * float8 e4m3fn bits to float32: 1 sign, 4 exponent (bias 7), 3 mantissa bits; subnormals; no
     * infinities; S.1111.111 is NaN, so the largest value is S.1111.110 = ±448.
     *
     * @param bits the float8 bits
     * @return the result
     */
    public static float f8e4m3fnToFloat(byte bits) {
        int b = bits & 0xff;
        boolean negative = (b & 0x80) != 0;
        int exp = (b >>> 3) & 0xf;
        int mant = b & 0x7;
        if (exp == 0xf && mant == 0x7) {
            return Float.NaN;
        }
        float magnitude;
        if (exp == 0) {
            magnitude = mant * 0x1p-9f;
        } else {
            magnitude = Float.intBitsToFloat(((exp - 7 + 127) << 23) | (mant << 20));
        }
        return negative ? -magnitude : magnitude;
    }

    /**
     * float8 e5m2 bits to float32: 1 sign, 5 exponent (bias 15), 2 mantissa bits, IEEE-like (subnormals,
     * infinities, NaN). It is exactly the upper byte of a binary16.
     *
     * @param bits the float8 bits
     * @return the result
     */
    public static float f8e5m2ToFloat(byte bits) {
        return f16ToFloat((short) ((bits & 0xff) << 8));
    }

    /**
     * float32 to float8 e4m3fn bits, round to nearest even. Magnitudes that round above 448 become NaN, as
     * PyTorch's {@code .to(torch.float8_e4m3fn)} makes them (the format has no infinity; quantisers clamp first).
     *
     * @param value the value
     * @return the result
     */
    public static byte floatToF8e4m3fn(float value) {
        return floatToF8(value, 3, 7, 448.0, (byte) 0x7f, (byte) 0x7f);
    }

    /**
     * {@return float32 to float8 e5m2 bits, round to nearest even; magnitudes that round above 57344 become infinity}
     *
     * @param value the value
     */
    public static byte floatToF8e5m2(float value) {
        return floatToF8(value, 2, 15, 57344.0, (byte) 0x7c, (byte) 0x7e);
    }

    /**
     * Rounds to a float8 format with {@code mantissaBits}, exponent {@code bias}, subnormals and largest finite
     * magnitude {@code max}: the value is rounded to the multiple of its binade's quantum (exact in double), then
     * encoded.
     */
    private static byte floatToF8(float value, int mantissaBits, int bias, double max, byte overflow, byte nan) {
        if (Float.isNaN(value)) {
            return nan;
        }
        int sign = Float.floatToRawIntBits(value) < 0 ? 0x80 : 0;
        double a = Math.abs((double) value);
        if (a == 0) {
            return (byte) sign;
        }
        int minNormalExponent = 1 - bias;
        int exponent = Math.max(Math.getExponent(a), minNormalExponent);
        double quantum = Math.scalb(1.0, exponent - mantissaBits);
        double rounded = Math.rint(a / quantum) * quantum;
        if (Double.isInfinite(a) || rounded > max) {
            return (byte) (sign | overflow);
        }
        if (rounded == 0) {
            return (byte) sign;
        }
        int e = Math.getExponent(rounded);
        if (e < minNormalExponent) {
            return (byte) (sign | (int) (rounded / Math.scalb(1.0, minNormalExponent - mantissaBits)));
        }
        int mantissa = (int) ((rounded / Math.scalb(1.0, e) - 1) * (1 << mantissaBits));
        return (byte) (sign | ((e + bias) << mantissaBits) | mantissa);
    }
}
