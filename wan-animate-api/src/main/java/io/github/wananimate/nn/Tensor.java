package io.github.wananimate.nn;

/**
 * A tensor inside a running (or recording) network: an opaque handle owned by the executor.
 *
 * <p>Networks never see values, only shapes. The DJL executor backs a handle with an {@code NDArray};
 * the ONNX recorder backs it with a named graph value whose shape it infers statically. Every tensor
 * is float32.
 */
public interface Tensor {

    /** The static shape. Never modify the returned array. */
    long[] shape();

    default int rank() {
        return shape().length;
    }

    /** Size of {@code axis}; negative axes count from the end. */
    default long dim(int axis) {
        long[] s = shape();
        return s[axis < 0 ? s.length + axis : axis];
    }
}
