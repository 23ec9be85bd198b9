package io.github.wananimate.nn;

import io.github.wananimate.tensor.DType;
import java.util.Objects;

/**
 * One checkpoint key a network binds: its official name, shape and the dtype the weight is STORED in while the
 * network is bound (float32, or the run's low precision, see {@link Precision}); the checkpoint's own dtype may
 * differ and is converted once when the weight is bound. Optional keys (buffers that some repacks drop, such as
 * the motion encoder's blur kernels) are checked when present.
 */
public record ParameterSpec(String key, long[] shape, boolean optional, DType dtype) {

    public ParameterSpec {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(dtype, "dtype");
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("parameter '" + key + "': stored dtype must be floating point, got "
                    + dtype);
        }
    }

    /** {@return a required float32 parameter} */
    public static ParameterSpec required(String key, long... shape) {
        return new ParameterSpec(key, shape, false, DType.F32);
    }

    /** {@return an optional float32 parameter} */
    public static ParameterSpec optional(String key, long... shape) {
        return new ParameterSpec(key, shape, true, DType.F32);
    }

    /** {@return this spec stored as {@code stored} instead} */
    public ParameterSpec storedAs(DType stored) {
        return new ParameterSpec(key, shape, optional, stored);
    }
}
