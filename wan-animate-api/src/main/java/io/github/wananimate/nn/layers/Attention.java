package io.github.wananimate.nn.layers;

import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.tensor.DType;

/**
 * Scaled dot-product attention ({@link Ops#attention}) in a compute dtype: with a reduced one, q/k/v are rounded to
 * it as the original hands bf16 q/k/v to flash-attention (NETWORKS.md §1.6), the backend computes in it with float32
 * accumulation, and the result comes back as float32. No parameters.
 */
public final class Attention {

    private final DType compute;

    public Attention(DType compute) {
        Layers.checkFloat(compute, "attention compute dtype");
        this.compute = compute;
    }

    /** {@code softmax(q·kᵀ·scale + bias)·v}; {@code bias} (nullable) stays float32 and is cast with the scores. */
    public Tensor apply(Ops ops, Tensor q, Tensor k, Tensor v, Tensor bias, double scale) {
        Tensor b = bias == null ? null : Layers.to(ops, bias, compute);
        Tensor out = ops.attention(Layers.to(ops, q, compute), Layers.to(ops, k, compute), Layers.to(ops, v, compute),
                b, scale);
        return Layers.to(ops, out, DType.F32);
    }
}
