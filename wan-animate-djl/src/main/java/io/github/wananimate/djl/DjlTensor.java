package io.github.wananimate.djl;

import ai.djl.ndarray.NDArray;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.tensor.Shapes;

/** A {@link Tensor} backed by a DJL {@link NDArray}; the array's manager decides when it is freed. */
final class DjlTensor implements Tensor {

    private final NDArray array;
    private final long[] shape;

    DjlTensor(NDArray array) {
        this.array = array;
        this.shape = array.getShape().getShape();
    }

    NDArray array() {
        return array;
    }

    @Override
    public long[] shape() {
        return shape;
    }

    @Override
    public String toString() {
        return "DjlTensor" + Shapes.toString(shape);
    }
}
