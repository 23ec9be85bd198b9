package io.github.wananimate.djl;

import ai.djl.ndarray.NDArray;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.Shapes;

/** A {@link Tensor} backed by a DJL {@link NDArray}; the array's manager decides when it is freed. */
final class DjlTensor implements Tensor {

    private final NDArray array;
    private final long[] shape;
    private final DType dtype;

    DjlTensor(NDArray array) {
        this(array, DjlOps.dtype(array.getDataType()));
    }

    /** @param dtype the precision the values hold: BF16 for a float32 array of bf16 values (see {@link DjlOps}) */
    DjlTensor(NDArray array, DType dtype) {
        this.array = array;
        this.shape = array.getShape().getShape();
        this.dtype = dtype;
    }

    NDArray array() {
        return array;
    }

    @Override
    public long[] shape() {
        return shape;
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public String toString() {
        return "DjlTensor" + Shapes.toString(shape);
    }
}
