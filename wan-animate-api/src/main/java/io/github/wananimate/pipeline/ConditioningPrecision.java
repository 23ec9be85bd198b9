package io.github.wananimate.pipeline;

import io.github.wananimate.tensor.DTypeConversions;

/**
 * The precision pixel conditioning reaches the networks in. The original casts every pixel input (pose, face,
 * reference, previous frames, background, mask) to bf16 before any model sees it (§2.6, quirk 12 of §7); the golden
 * {@code pipeline_tiny} fixture was made with those casts turned into float32.
 */
public enum ConditioningPrecision {
    /** Keep float32 (parity with the float32 golden fixtures). */
    FLOAT32,
    /** Round to bf16 (nearest even) and back, as the original on GPU. */
    BFLOAT16;

    /** {@code value} at this precision. */
    public float round(float value) {
        return this == BFLOAT16 ? DTypeConversions.bf16ToFloat(DTypeConversions.floatToBf16(value)) : value;
    }

    /** Rounds {@code values} in place. */
    public void roundInPlace(float[] values) {
        if (this == BFLOAT16) {
            for (int i = 0; i < values.length; i++) {
                values[i] = round(values[i]);
            }
        }
    }
}
