package io.github.wananimate.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * A weight as it is held on the device: an array the kernels read as it is, or float8 codes (one {@code UINT8} per
 * element) with the 256-entry table they dequantise through ({@link io.github.wananimate.weights.Float8Tensor}),
 * looked up on the device each time the weight is read, so a float8 checkpoint occupies one byte per weight there and
 * crosses to the device as such.
 *
 * @param array the weight, or its float8 codes
 * @param table null, or the table in the array form of the weight's stored dtype ({@link ArrayForm})
 */
record DeviceWeight(NDArray array, NDArray table) {

    static DeviceWeight ready(NDArray array) {
        return new DeviceWeight(array, null);
    }

    /** The weight as the kernels read it: the array itself, or the codes looked up in the table (an array of {@code scope}). */
    NDArray read(NDManager scope) {
        if (table == null) {
            return array;
        }
        // int64, because DJL's take converts any other index type to int64 itself and keeps that copy in the codes'
        // manager until it closes (for resident weights: the network's lifetime, once per read)
        try (NDArray index = array.toType(DataType.INT64, false)) {
            NDArray values = table.take(scope, index);
            values.attach(scope);
            return values;
        }
    }
}
