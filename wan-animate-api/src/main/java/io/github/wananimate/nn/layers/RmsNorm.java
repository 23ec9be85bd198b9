package io.github.wananimate.nn.layers;

import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.tensor.DType;
import java.util.List;

/** RMSNorm over the last axis, {@code x / sqrt(mean(x²) + eps) · <module>.weight}, in float32. */
public final class RmsNorm implements Layer {

    private final ParameterSpec weight;
    private final double eps;

    public RmsNorm(String module, long dim, double eps, DType stored) {
        this.weight = new ParameterSpec(module + ".weight", new long[] {dim}, false, stored);
        this.eps = eps;
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(weight);
    }

    public Tensor apply(Ops ops, Tensor x) {
        return ops.rmsNorm(x, Layers.f32(ops, weight), eps);
    }
}
