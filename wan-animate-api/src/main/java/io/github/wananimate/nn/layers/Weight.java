package io.github.wananimate.nn.layers;

import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.tensor.DType;
import java.util.List;

/** A bare parameter used as a tensor (modulation tables, learned tokens), read in float32. */
public final class Weight implements Layer {

    private final ParameterSpec spec;

    /**
     * @param key    the full checkpoint key, e.g. {@code "blocks.0.modulation"}
     * @param stored the dtype it is kept in while bound
     */
    public Weight(String key, DType stored, long... shape) {
        this.spec = new ParameterSpec(key, shape, false, stored);
    }

    @Override
    public List<ParameterSpec> parameters() {
        return List.of(spec);
    }

    /** The value in float32. */
    public Tensor get(Ops ops) {
        return Layers.f32(ops, spec);
    }
}
