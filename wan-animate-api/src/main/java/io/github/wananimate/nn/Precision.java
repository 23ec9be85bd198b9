package io.github.wananimate.nn;

import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.DTypeConversions;
import java.util.Locale;

/**
 * The numeric precision of a run: the dtype the networks' weights are stored in while bound, the dtype their
 * matrix products, convolutions and attention compute in, and the dtype pixel conditioning is rounded to before a
 * network sees it.
 *
 * <p>The low-precision modes follow the original's autocast split (NETWORKS.md §1.6): the layers that run under
 * {@code torch.autocast(bfloat16)} (Linears, convolutions, attention) take inputs rounded to {@link #compute()},
 * accumulate in float32 and round their outputs to {@link #compute()}; everything the original keeps in float32
 * (time embedding and projection, modulation, norm statistics, gated residual adds, the head) computes in float32
 * with the stored weights up-cast. The original always casts pixel conditioning to bf16 (§2.6, quirk 12 of §7);
 * here it is rounded to {@link #compute()}, and kept float32 in {@link #FP32} (as the golden fixtures were made).
 */
public enum Precision {
    /** Everything float32: parity with the float32 golden fixtures (bit-for-bit where a backend is deterministic). */
    FP32(DType.F32, DType.F32),
    /** bf16 weights and autocast compute, as the original on GPU. */
    BF16(DType.BF16, DType.BF16),
    /** IEEE half weights and autocast compute (more mantissa than bf16, less range). */
    FP16(DType.F16, DType.F16);

    private final DType weights;
    private final DType compute;

    Precision(DType weights, DType compute) {
        this.weights = weights;
        this.compute = compute;
    }

    /** {@return the dtype weights are stored in while bound} */
    public DType weights() {
        return weights;
    }

    /** {@return the dtype autocast layers compute in; {@link DType#F32} for {@link #FP32}} */
    public DType compute() {
        return compute;
    }

    /**
     * The default for a device: {@link #BF16} on CUDA (as the original); {@link #FP32} on the CPU, where a reduced
     * precision is slower (no CPU kernels as fast as float32's) and saves memory only on the djl backend.
     *
     * @param device the device as text
     * @return the precision
     */
    public static Precision defaultFor(String device) {
        return device.startsWith("cuda") || device.startsWith("gpu") ? BF16 : FP32;
    }

    /** {@return whether any layer computes below float32} */
    public boolean isReduced() {
        return compute != DType.F32;
    }

    /** {@return the command-line spelling: {@code fp32}, {@code bf16}, {@code fp16}} */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code fp32|bf16|fp16} (case-insensitive; {@code float32}, {@code bfloat16}, {@code float16} too).
     *
     * @param text the spelling
     * @return the precision
     */
    public static Precision parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "fp32", "float32", "f32" -> FP32;
            case "bf16", "bfloat16" -> BF16;
            case "fp16", "float16", "f16", "half" -> FP16;
            default -> throw new IllegalArgumentException("unknown precision '" + text + "': use fp32, bf16 or fp16");
        };
    }

    /**
     * {@return {@code value} rounded to {@link #compute()} (nearest even) and back to float32}
     *
     * @param value the value
     */
    public float round(float value) {
        return switch (compute) {
            case BF16 -> DTypeConversions.bf16ToFloat(DTypeConversions.floatToBf16(value));
            case F16 -> DTypeConversions.f16ToFloat(DTypeConversions.floatToF16(value));
            default -> value;
        };
    }

    /**
     * Rounds {@code values} in place to {@link #compute()}.
     *
     * @param values the values
     */
    public void roundInPlace(float[] values) {
        if (isReduced()) {
            for (int i = 0; i < values.length; i++) {
                values[i] = round(values[i]);
            }
        }
    }
}
