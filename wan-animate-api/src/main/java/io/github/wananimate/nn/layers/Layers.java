package io.github.wananimate.nn.layers;

import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.tensor.DType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Helpers shared by the layers and the networks built from them. */
public final class Layers {

    private Layers() {
    }

    /**
     * The parameters of {@code layers}, in order; a key declared by two layers is a programming error and throws.
     */
    public static List<ParameterSpec> parameters(Collection<? extends Layer> layers) {
        List<ParameterSpec> specs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Layer layer : layers) {
            for (ParameterSpec spec : layer.parameters()) {
                if (!seen.add(spec.key())) {
                    throw new IllegalStateException("checkpoint key '" + spec.key() + "' is declared by two layers");
                }
                specs.add(spec);
            }
        }
        return List.copyOf(specs);
    }

    /** {@code x} in {@code dtype}: itself when it already is, else one {@link Ops#cast}. */
    static Tensor to(Ops ops, Tensor x, DType dtype) {
        return x.dtype() == dtype ? x : ops.cast(x, dtype);
    }

    /** A stored weight up-cast to float32 for a float32 computation. */
    static Tensor f32(Ops ops, ParameterSpec spec) {
        return to(ops, ops.parameter(spec), DType.F32);
    }

    /** A stored weight in the compute dtype {@code dtype}. */
    static Tensor in(Ops ops, ParameterSpec spec, DType dtype) {
        return to(ops, ops.parameter(spec), dtype);
    }

    static void checkFloat(DType dtype, String what) {
        if (dtype != DType.F32 && dtype != DType.BF16 && dtype != DType.F16) {
            throw new IllegalArgumentException(what + " must be F32, BF16 or F16, got " + dtype);
        }
    }
}
