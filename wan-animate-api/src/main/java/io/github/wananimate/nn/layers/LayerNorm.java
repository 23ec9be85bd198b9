package io.github.wananimate.nn.layers;

import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.tensor.DType;
import java.util.List;

/**
 * {@code nn.LayerNorm} over the last axis, statistics in float32; affine ({@code <module>.weight},
 * {@code <module>.bias}, up-cast to float32) or not.
 */
public final class LayerNorm implements Layer {

    private final ParameterSpec weight;
    private final ParameterSpec bias;
    private final double eps;

    private LayerNorm(ParameterSpec weight, ParameterSpec bias, double eps) {
        this.weight = weight;
        this.bias = bias;
        this.eps = eps;
    }

    /** With learned weight and bias of length {@code dim}. */
    public static LayerNorm affine(String module, long dim, double eps, DType stored) {
        return new LayerNorm(new ParameterSpec(module + ".weight", new long[] {dim}, false, stored),
                new ParameterSpec(module + ".bias", new long[] {dim}, false, stored), eps);
    }

    /** Without affine parameters ({@code elementwise_affine=False}). */
    public static LayerNorm plain(double eps) {
        return new LayerNorm(null, null, eps);
    }

    @Override
    public List<ParameterSpec> parameters() {
        return weight == null ? List.of() : List.of(weight, bias);
    }

    public Tensor apply(Ops ops, Tensor x) {
        return weight == null ? ops.layerNorm(x, null, null, eps)
                : ops.layerNorm(x, Layers.f32(ops, weight), Layers.f32(ops, bias), eps);
    }
}
