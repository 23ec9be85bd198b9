package io.github.wananimate.pipeline;

import io.github.wananimate.tensor.HostTensor;
import java.util.Arrays;

/** Classifier-free guidance as {@code generate()} applies it (PIPELINE.md §2.10). */
public final class Guidance {

    /** The unconditional pass sees a black face: face pixels all −1 ({@code face * 0 − 1}). */
    public static final float UNCONDITIONAL_FACE_VALUE = -1f;

    private Guidance() {
    }

    /** Guidance runs only when the scale is greater than 1; a scale below 1 means no guidance, silently. */
    public static boolean enabled(double guideScale) {
        return guideScale > 1;
    }

    /** v = v_u + g·(v_c − v_u), in float32. */
    public static float[] combine(float[] unconditional, float[] conditional, double guideScale) {
        if (unconditional.length != conditional.length) {
            throw new IllegalArgumentException("unconditional output has " + unconditional.length
                    + " values, conditional " + conditional.length);
        }
        float g = (float) guideScale;
        float[] out = new float[conditional.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = unconditional[i] + g * (conditional[i] - unconditional[i]);
        }
        return out;
    }

    /** {@link #combine(float[], float[], double)} on host tensors of one shape. */
    public static HostTensor combine(HostTensor unconditional, HostTensor conditional, double guideScale) {
        if (!Arrays.equals(unconditional.shape(), conditional.shape())) {
            throw new IllegalArgumentException("unconditional output shape " + Arrays.toString(unconditional.shape())
                    + " differs from conditional " + Arrays.toString(conditional.shape()));
        }
        return HostTensor.ofFloats(conditional.shape(),
                combine(unconditional.toFloatArray(), conditional.toFloatArray(), guideScale));
    }

    /** The unconditional face input: the face tensor's shape, every value −1. */
    public static HostTensor unconditionalFace(long[] faceShape) {
        float[] values = new float[Math.toIntExact(io.github.wananimate.tensor.Shapes.elementCount(faceShape))];
        Arrays.fill(values, UNCONDITIONAL_FACE_VALUE);
        return HostTensor.ofFloats(faceShape, values);
    }
}
