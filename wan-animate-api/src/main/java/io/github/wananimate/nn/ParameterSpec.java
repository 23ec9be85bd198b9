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

    /**
     * Checks that the stored dtype is floating point.
     *
     * @param key the checkpoint key
     * @param shape the expected shape
     * @param optional whether binding succeeds without it
     * @param dtype the dtype the network keeps it in
     */
    public ParameterSpec {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(dtype, "dtype");
        if (!dtype.isFloatingPoint()) {
            throw new IllegalArgumentException("parameter '" + key + "': stored dtype must be floating point, got "
                    + dtype);
        }
    }

    /**
     * A required float32 parameter.
     *
     * @param key the checkpoint key
     * @param shape the expected shape
     * @return the spec
     */
    public static ParameterSpec required(String key, long... shape) {
        return new ParameterSpec(key, shape, false, DType.F32);
    }

    /**
     * An optional float32 parameter.
     *
     * @param key the checkpoint key
     * @param shape the expected shape
     * @return the spec
     */
    public static ParameterSpec optional(String key, long... shape) {
        return new ParameterSpec(key, shape, true, DType.F32);
    }

    /**
     * This spec stored as {@code stored} instead.
     *
     * @param stored the dtype to keep it in
     * @return the spec
     */
    public ParameterSpec storedAs(DType stored) {
        return new ParameterSpec(key, shape, optional, stored);
    }
}
