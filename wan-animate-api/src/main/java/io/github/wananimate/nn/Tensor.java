package io.github.wananimate.nn;

import io.github.wananimate.tensor.DType;

/**
 * A tensor inside a running (or recording) network: an opaque handle owned by the executor.
 *
 * <p>Networks never see values, only shapes. The DJL executor backs a handle with an {@code NDArray};
 * the ONNX recorder backs it with a named graph value whose shape it infers statically. A tensor is float32
 * unless a bound parameter is stored in a lower precision or {@link Ops#cast} made it so (see {@link Ops}).
 */
public interface Tensor {

    /** {@return the static shape. Never modify the returned array} */
    long[] shape();

    /**
     * {@return the element type: {@link DType#F32}, or {@link DType#BF16} / {@link DType#F16} in a reduced-precision run}
     */
    default DType dtype() {
        return DType.F32;
    }

    /** {@return the number of axes} */
    default int rank() {
        return shape().length;
    }

    /**
     * {@return size of {@code axis}; negative axes count from the end}
     *
     * @param axis the axis
     */
    default long dim(int axis) {
        long[] s = shape();
        return s[axis < 0 ? s.length + axis : axis];
    }
}
