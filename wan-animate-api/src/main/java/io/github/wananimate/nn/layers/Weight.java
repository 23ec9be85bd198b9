package io.github.wananimate.nn.layers;

import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.tensor.DType;
import java.util.List;

/**
 * One checkpoint key with its shape and stored dtype, read through {@link Ops#parameter(ParameterSpec)}: a bare
 * parameter used as a tensor (modulation tables, learned tokens, norm gains) and the weight and bias of the other
 * layers, which read it in their compute dtype ({@link #in}, {@link #scaledIn}).
 */
public final class Weight implements Layer {

    private final ParameterSpec spec;

    /**
     * @param key    the full checkpoint key, e.g. {@code "blocks.0.modulation"}
     * @param stored the dtype it is kept in while bound
     */
    public Weight(String key, DType stored, long... shape) {
        this.spec = new ParameterSpec(key, shape, false, stored);
    }

    public String key() {
        return spec.key();
    }

    /** The stored shape. */
    public long[] shape() {
        return spec.shape().clone();
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(spec);
    }

    /** The value in float32. */
    public Tensor get(Ops ops) {
        return Layers.f32(ops, spec);
    }

    /** The value in the compute dtype {@code compute}: the stored tensor itself when the dtypes agree. */
    public Tensor in(Ops ops, DType compute) {
        return Layers.in(ops, spec, compute);
    }

    /**
     * The value multiplied by {@code scale} in float32, then in {@code compute} (StyleGAN's equalised learning rate);
     * {@link #in} when {@code scale} is 1.
     */
    public Tensor scaledIn(Ops ops, double scale, DType compute) {
        return scale == 1.0 ? in(ops, compute) : Layers.to(ops, ops.mul(get(ops), scale), compute);
    }
}
