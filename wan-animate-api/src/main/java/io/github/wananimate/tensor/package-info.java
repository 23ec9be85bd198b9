/**
 * Host-side tensors and dtypes: {@link io.github.wananimate.tensor.HostTensor} (shape plus little-endian bytes in
 * one {@link io.github.wananimate.tensor.DType}), exact conversions between float32, bfloat16 and float16, and shape
 * arithmetic.
 */
package io.github.wananimate.tensor;
