package io.github.wananimate.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class DTypeConversionsTest {

    private static float[] convert(DType dtype, int... rawBytes) {
        ByteBuffer b = ByteBuffer.allocate(rawBytes.length);
        for (int v : rawBytes) {
            b.put((byte) v);
        }
        return DTypeConversions.toFloatArray(dtype, b.flip());
    }

    private static int bits(float f) {
        return Float.floatToRawIntBits(f);
    }

    @Test
    void float8E4m3fnKnownPatterns() {
        assertThat(DTypeConversions.f8e4m3fnToFloat((byte) 0x7E)).isEqualTo(448f);
        assertThat(DTypeConversions.f8e4m3fnToFloat((byte) 0xFE)).isEqualTo(-448f);
        assertThat(DTypeConversions.f8e4m3fnToFloat((byte) 0x7D)).isEqualTo(416f);
        assertThat(DTypeConversions.f8e4m3fnToFloat((byte) 0x78)).isEqualTo(256f);
        assertThat(DTypeConversions.f8e4m3fnToFloat((byte) 0x38)).isEqualTo(1f);
        assertThat(DTypeConversions.f8e4m3fnToFloat((byte) 0xC0)).isEqualTo(-2f);
        assertThat(DTypeConversions.f8e4m3fnToFloat((byte) 0x01)).isEqualTo(0x1p-9f);
        assertThat(DTypeConversions.f8e4m3fnToFloat((byte) 0x07)).isEqualTo(7 * 0x1p-9f);
        assertThat(DTypeConversions.f8e4m3fnToFloat((byte) 0x08)).isEqualTo(0x1p-6f);
        assertThat(bits(DTypeConversions.f8e4m3fnToFloat((byte) 0x00))).isEqualTo(bits(0f));
        assertThat(bits(DTypeConversions.f8e4m3fnToFloat((byte) 0x80))).isEqualTo(bits(-0f));
        assertThat(DTypeConversions.f8e4m3fnToFloat((byte) 0x7F)).isNaN();
        assertThat(DTypeConversions.f8e4m3fnToFloat((byte) 0xFF)).isNaN();
        // e4m3fn has no infinities: every other code is finite and the positive codes increase strictly.
        float previous = -1;
        for (int code = 0; code < 0x7F; code++) {
            float v = DTypeConversions.f8e4m3fnToFloat((byte) code);
            assertThat(v).as("code 0x%02x", code).isFinite().isGreaterThan(previous);
            assertThat(DTypeConversions.f8e4m3fnToFloat((byte) (code | 0x80))).isEqualTo(-v);
            previous = v;
        }
        assertThat(convert(DType.F8_E4M3, 0x7E, 0x01, 0xB8)).containsExactly(448f, 0x1p-9f, -1f);
    }

    @Test
    void float8E5m2KnownPatterns() {
        assertThat(DTypeConversions.f8e5m2ToFloat((byte) 0x7C)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(DTypeConversions.f8e5m2ToFloat((byte) 0xFC)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(DTypeConversions.f8e5m2ToFloat((byte) 0x7D)).isNaN();
        assertThat(DTypeConversions.f8e5m2ToFloat((byte) 0x7E)).isNaN();
        assertThat(DTypeConversions.f8e5m2ToFloat((byte) 0xFF)).isNaN();
        assertThat(DTypeConversions.f8e5m2ToFloat((byte) 0x7B)).isEqualTo(57344f);
        assertThat(DTypeConversions.f8e5m2ToFloat((byte) 0x3C)).isEqualTo(1f);
        assertThat(DTypeConversions.f8e5m2ToFloat((byte) 0xC2)).isEqualTo(-3f);
        assertThat(DTypeConversions.f8e5m2ToFloat((byte) 0x01)).isEqualTo(0x1p-16f);
        assertThat(DTypeConversions.f8e5m2ToFloat((byte) 0x03)).isEqualTo(3 * 0x1p-16f);
        assertThat(DTypeConversions.f8e5m2ToFloat((byte) 0x04)).isEqualTo(0x1p-14f);
        assertThat(bits(DTypeConversions.f8e5m2ToFloat((byte) 0x80))).isEqualTo(bits(-0f));
        assertThat(convert(DType.F8_E5M2, 0x7C, 0x01)).containsExactly(Float.POSITIVE_INFINITY, 0x1p-16f);
    }

    @Test
    void float16KnownPatterns() {
        assertThat(DTypeConversions.f16ToFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(DTypeConversions.f16ToFloat((short) 0x03FF)).isEqualTo(1023 * 0x1p-24f);
        assertThat(DTypeConversions.f16ToFloat((short) 0x0400)).isEqualTo(0x1p-14f);
        assertThat(DTypeConversions.f16ToFloat((short) 0x7BFF)).isEqualTo(65504f);
        assertThat(DTypeConversions.f16ToFloat((short) 0xFBFF)).isEqualTo(-65504f);
        assertThat(DTypeConversions.f16ToFloat((short) 0x3C00)).isEqualTo(1f);
        assertThat(DTypeConversions.f16ToFloat((short) 0xC000)).isEqualTo(-2f);
        assertThat(DTypeConversions.f16ToFloat((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(DTypeConversions.f16ToFloat((short) 0xFC00)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(DTypeConversions.f16ToFloat((short) 0x7E00)).isNaN();
        assertThat(bits(DTypeConversions.f16ToFloat((short) 0x8000))).isEqualTo(bits(-0f));
        assertThat(convert(DType.F16, 0x01, 0x00, 0x00, 0x3C)).containsExactly(0x1p-24f, 1f);
    }

    @Test
    void bfloat16KnownPatterns() {
        assertThat(DTypeConversions.bf16ToFloat((short) 0x3F80)).isEqualTo(1f);
        assertThat(DTypeConversions.bf16ToFloat((short) 0x0001)).isEqualTo(0x1p-133f);
        assertThat(DTypeConversions.bf16ToFloat((short) 0x7F7F)).isEqualTo(Float.intBitsToFloat(0x7F7F0000));
        assertThat(DTypeConversions.bf16ToFloat((short) 0x7F80)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(DTypeConversions.bf16ToFloat((short) 0xFF80)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(DTypeConversions.bf16ToFloat((short) 0x7FC0)).isNaN();
        assertThat(bits(DTypeConversions.bf16ToFloat((short) 0x8000))).isEqualTo(bits(-0f));
        assertThat(convert(DType.BF16, 0x80, 0x3F, 0x00, 0xC0)).containsExactly(1f, -2f);
    }

    @Test
    void floatToBf16RoundsToNearestEven() {
        assertThat(DTypeConversions.floatToBf16(Float.intBitsToFloat(0x3F808000))).isEqualTo((short) 0x3F80);
        assertThat(DTypeConversions.floatToBf16(Float.intBitsToFloat(0x3F818000))).isEqualTo((short) 0x3F82);
        assertThat(DTypeConversions.floatToBf16(Float.intBitsToFloat(0x3F808001))).isEqualTo((short) 0x3F81);
        assertThat(DTypeConversions.floatToBf16(Float.MAX_VALUE)).isEqualTo((short) 0x7F80);
        assertThat(DTypeConversions.floatToBf16(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xFF80);
        assertThat(DTypeConversions.floatToBf16(-0f)).isEqualTo((short) 0x8000);
        assertThat(DTypeConversions.bf16ToFloat(DTypeConversions.floatToBf16(Float.NaN))).isNaN();
        assertThat(DTypeConversions.bf16ToFloat(DTypeConversions.floatToBf16(Float.intBitsToFloat(0x7F800001))))
                .isNaN();
        for (int h = 0; h < 0x10000; h++) {
            float v = DTypeConversions.bf16ToFloat((short) h);
            if (!Float.isNaN(v)) {
                assertThat(DTypeConversions.floatToBf16(v) & 0xffff).isEqualTo(h);
            }
        }
    }

    @Test
    void floatToF16KnownValues() {
        assertThat(DTypeConversions.floatToF16(1f)).isEqualTo((short) 0x3C00);
        assertThat(DTypeConversions.floatToF16(65504f)).isEqualTo((short) 0x7BFF);
        assertThat(DTypeConversions.floatToF16(65519.99f)).isEqualTo((short) 0x7BFF);
        assertThat(DTypeConversions.floatToF16(65520f)).isEqualTo((short) 0x7C00);
        assertThat(DTypeConversions.floatToF16(-1e10f)).isEqualTo((short) 0xFC00);
        assertThat(DTypeConversions.floatToF16(Float.POSITIVE_INFINITY)).isEqualTo((short) 0x7C00);
        assertThat(DTypeConversions.floatToF16(0x1p-24f)).isEqualTo((short) 0x0001);
        assertThat(DTypeConversions.floatToF16(0x1p-25f)).isEqualTo((short) 0x0000); // tie to even (zero)
        assertThat(DTypeConversions.floatToF16(Math.nextUp(0x1p-25f))).isEqualTo((short) 0x0001);
        assertThat(DTypeConversions.floatToF16(-0x1p-26f)).isEqualTo((short) 0x8000);
        assertThat(DTypeConversions.floatToF16(-0f)).isEqualTo((short) 0x8000);
        assertThat(DTypeConversions.f16ToFloat(DTypeConversions.floatToF16(Float.NaN))).isNaN();
        assertThat(DTypeConversions.f16ToFloat(DTypeConversions.floatToF16(Float.intBitsToFloat(0xFF800001))))
                .isNaN();
    }

    /** Every binary16 value round-trips, and every midpoint between neighbours rounds to the even one. */
    @Test
    void floatToF16IsExhaustivelyRoundToNearestEven() {
        for (int sign = 0; sign <= 0x8000; sign += 0x8000) {
            for (int h = 0; h < 0x7C00; h++) {
                float a = DTypeConversions.f16ToFloat((short) (sign | h));
                assertThat(DTypeConversions.floatToF16(a) & 0xffff).isEqualTo(sign | h);
                float b = DTypeConversions.f16ToFloat((short) (sign | (h + 1))); // h + 1 = 0x7C00 is infinity
                float mid = h + 1 == 0x7C00 ? (sign == 0 ? 65520f : -65520f) : (a + b) / 2; // exact in float32
                int even = (h & 1) == 0 ? h : h + 1;
                assertThat(DTypeConversions.floatToF16(mid) & 0xffff).as("midpoint above 0x%04x", sign | h)
                        .isEqualTo(sign | even);
                float towardA = sign == 0 ? Math.nextDown(mid) : Math.nextUp(mid);
                float towardB = sign == 0 ? Math.nextUp(mid) : Math.nextDown(mid);
                assertThat(DTypeConversions.floatToF16(towardA) & 0xffff).isEqualTo(sign | h);
                assertThat(DTypeConversions.floatToF16(towardB) & 0xffff).isEqualTo(sign | (h + 1));
            }
        }
    }

    @Test
    void wideFloatsAndIntegersConvertAsNumbers() {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putDouble(0.1).putDouble(-1e300).flip();
        assertThat(DTypeConversions.toFloatArray(DType.F64, b)).containsExactly(0.1f, Float.NEGATIVE_INFINITY);
        b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(-3).putLong(1L << 40).flip();
        assertThat(DTypeConversions.toFloatArray(DType.I64, b)).containsExactly(-3f, 0x1p40f);
        b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(Integer.MIN_VALUE).putInt(7).flip();
        assertThat(DTypeConversions.toFloatArray(DType.I32, b)).containsExactly(-0x1p31f, 7f);
        assertThat(convert(DType.I16, 0xFF, 0xFF, 0x00, 0x80)).containsExactly(-1f, -32768f);
        assertThat(convert(DType.I8, 0xFF, 0x7F, 0x80)).containsExactly(-1f, 127f, -128f);
        assertThat(convert(DType.U8, 0xFF, 0x7F, 0x80)).containsExactly(255f, 127f, 128f);
        assertThat(convert(DType.BOOL, 0, 1, 2)).containsExactly(0f, 1f, 1f);
        b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        b.putFloat(-0f).putFloat(Float.MIN_VALUE).flip();
        float[] f32 = DTypeConversions.toFloatArray(DType.F32, b);
        assertThat(bits(f32[0])).isEqualTo(bits(-0f));
        assertThat(f32[1]).isEqualTo(Float.MIN_VALUE);
    }

    @Test
    void encodesFloatArrays() {
        float[] values = {1f, -2.5f, 0x1p-24f};
        for (DType dtype : new DType[] {DType.F64, DType.F32, DType.F16, DType.BF16}) {
            ByteBuffer encoded = DTypeConversions.fromFloatArray(dtype, values);
            assertThat(encoded.remaining()).isEqualTo(values.length * dtype.byteSize());
            float[] back = DTypeConversions.toFloatArray(dtype, encoded);
            assertThat(back[0]).isEqualTo(1f);
            assertThat(back[1]).isEqualTo(-2.5f);
        }
        assertThat(DTypeConversions.toFloatArray(DType.F16, DTypeConversions.fromFloatArray(DType.F16, values))[2])
                .isEqualTo(0x1p-24f);
        for (DType dtype : new DType[] {DType.F8_E4M3, DType.F8_E5M2}) {
            float[] back = DTypeConversions.toFloatArray(dtype, DTypeConversions.fromFloatArray(dtype, values));
            assertThat(back[0]).isEqualTo(1f);
            assertThat(back[1]).isEqualTo(-2.5f);
        }
        assertThatThrownBy(() -> DTypeConversions.fromFloatArray(DType.I8, values))
                .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("I8");
    }

    /**
     * Every float8 code decodes and re-encodes to itself, and the midpoint of two neighbours rounds to the one with
     * an even code (round to nearest even), both below and above each value.
     */
    @Test
    void float8EncodingIsExhaustivelyRoundToNearestEven() {
        for (boolean e4m3 : new boolean[] {true, false}) {
            java.util.TreeMap<Float, Integer> codes = new java.util.TreeMap<>();
            for (int code = 0; code < 256; code++) {
                float v = e4m3 ? DTypeConversions.f8e4m3fnToFloat((byte) code) : DTypeConversions.f8e5m2ToFloat((byte) code);
                if (Float.isNaN(v)) {
                    assertThat(Float.isNaN(decode(e4m3, encode(e4m3, v)))).isTrue();
                    continue;
                }
                assertThat(encode(e4m3, v) & 0xff).as("code %d", code).isEqualTo(code == 0x80 ? 0x80 : code);
                if (!Float.isInfinite(v) && !(v == 0 && code == 0x80)) {
                    codes.put(v, code);
                }
            }
            Float previous = null;
            for (Float v : codes.keySet()) {
                if (previous != null) {
                    float mid = (float) (((double) previous + v) / 2);
                    float even = (codes.get(previous) & 1) == 0 ? previous : v;   // -0 and +0 compare equal
                    assertThat(decode(e4m3, encode(e4m3, mid)) == even).as("midpoint of %s and %s", previous, v).isTrue();
                    assertThat(decode(e4m3, encode(e4m3, Math.nextUp(mid))) == v).isTrue();
                    assertThat(decode(e4m3, encode(e4m3, Math.nextDown(mid))) == previous).isTrue();
                }
                previous = v;
            }
        }
        // beyond the largest finite value: e4m3fn has no infinity (NaN, as PyTorch's cast), e5m2 overflows to inf
        assertThat(Float.isNaN(DTypeConversions.f8e4m3fnToFloat(DTypeConversions.floatToF8e4m3fn(500f)))).isTrue();
        assertThat(DTypeConversions.f8e4m3fnToFloat(DTypeConversions.floatToF8e4m3fn(460f))).isEqualTo(448f);
        assertThat(DTypeConversions.f8e5m2ToFloat(DTypeConversions.floatToF8e5m2(1e6f))).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(DTypeConversions.f8e5m2ToFloat(DTypeConversions.floatToF8e5m2(Float.NEGATIVE_INFINITY)))
                .isEqualTo(Float.NEGATIVE_INFINITY);
    }

    private static byte encode(boolean e4m3, float v) {
        return e4m3 ? DTypeConversions.floatToF8e4m3fn(v) : DTypeConversions.floatToF8e5m2(v);
    }

    private static float decode(boolean e4m3, byte b) {
        return e4m3 ? DTypeConversions.f8e4m3fnToFloat(b) : DTypeConversions.f8e5m2ToFloat(b);
    }

    @Test
    void rejectsPartialElements() {
        assertThatThrownBy(() -> DTypeConversions.toFloatArray(DType.F32, ByteBuffer.allocate(6)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("F32");
    }
}
