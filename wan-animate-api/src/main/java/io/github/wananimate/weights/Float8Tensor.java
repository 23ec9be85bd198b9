package io.github.wananimate.weights;

import io.github.wananimate.tensor.HostTensor;

/**
 * A float8 weight as its checkpoint stores it, with the table that dequantises it: element {@code i} of the weight is
 * {@code table[stored byte i & 0xff]}. The table holds {@code float8 value × scale} for each of the 256 codes, computed
 * in float32 and rounded to the dtype the source dequantises to, so looking the bytes up gives exactly the tensor
 * {@link ParameterSource#get} returns. A backend that holds the bytes on its device (one byte per element) and looks
 * them up there when the weight is used ({@link ParameterSource#float8}) computes the same forward as one that binds
 * the dequantised tensor.
 *
 * @param stored the float8 tensor ({@code F8_E4M3} or {@code F8_E5M2}), as mapped from the file
 * @param table 256 float32 values, finite for every code the tensor holds (checked when the view was made)
 */
public record Float8Tensor(HostTensor stored, float[] table) {

    /** Codes of one byte. */
    public static final int CODES = 256;

    /**
     * Checks the dtype and the table's length, and keeps a copy of the table.
     *
     * @param stored the float8 tensor
     * @param table the 256 dequantised values, one per code
     */
    public Float8Tensor {
        if (!Fp8Checkpoint.isFloat8(stored.dtype())) {
            throw new IllegalArgumentException("a float8 tensor is F8_E4M3 or F8_E5M2, not " + stored.dtype());
        }
        if (table.length != CODES) {
            throw new IllegalArgumentException("a float8 table has " + CODES + " entries, not " + table.length);
        }
        table = table.clone();
    }

    /** {@return a copy of the 256 dequantised values, indexed by code} */
    @Override
    public float[] table() {
        return table.clone();
    }
}
