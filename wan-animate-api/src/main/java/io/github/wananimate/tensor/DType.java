package io.github.wananimate.tensor;

/**
 * Element types found in checkpoints. Conversions to and from float32 live in {@link DTypeConversions}.
 */
public enum DType {
    /** IEEE 754 binary64. */
    F64("F64", 8),
    /** IEEE 754 binary32, the compute type of every network. */
    F32("F32", 4),
    /** IEEE 754 binary16. */
    F16("F16", 2),
    /** bfloat16: the upper half of a binary32. */
    BF16("BF16", 2),
    /** float8 e4m3fn (no infinities; 0x7f/0xff are NaN), as PyTorch's {@code float8_e4m3fn}. */
    F8_E4M3("F8_E4M3", 1),
    /** float8 e5m2, as PyTorch's {@code float8_e5m2}. */
    F8_E5M2("F8_E5M2", 1),
    /** Signed 64-bit integer. */
    I64("I64", 8),
    /** Signed 32-bit integer. */
    I32("I32", 4),
    /** Signed 16-bit integer. */
    I16("I16", 2),
    /** Signed 8-bit integer. */
    I8("I8", 1),
    /** Unsigned 8-bit integer. */
    U8("U8", 1),
    /** One byte, 0 or 1. */
    BOOL("BOOL", 1);

    private final String safetensorsName;
    private final int byteSize;

    DType(String safetensorsName, int byteSize) {
        this.safetensorsName = safetensorsName;
        this.byteSize = byteSize;
    }

    /** {@return the dtype string used in safetensors headers} */
    public String safetensorsName() {
        return safetensorsName;
    }

    /** {@return bytes per element} */
    public int byteSize() {
        return byteSize;
    }

    /** {@return whether this is a floating-point type} */
    public boolean isFloatingPoint() {
        return this == F64 || this == F32 || this == F16 || this == BF16 || this == F8_E4M3 || this == F8_E5M2;
    }

    /**
     * Parses a safetensors dtype name.
     *
     * @param name the header's dtype string
     * @return the type
     * @throws IllegalArgumentException naming the unknown value
     */
    public static DType fromSafetensors(String name) {
        for (DType t : values()) {
            if (t.safetensorsName.equals(name)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown dtype '" + name + "'");
    }
}
