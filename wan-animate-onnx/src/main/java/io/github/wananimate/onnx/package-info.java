/**
 * The ONNX Runtime backend: records a network's ops into an ONNX graph once per input shape
 * ({@link io.github.wananimate.onnx.OnnxGraphRecorder}), writes it as a model and runs it in an ONNX Runtime session
 * on the CPU or CUDA, cut into one session per streamed parameter group when a memory budget streams DiT blocks
 * ({@code SegmentedGraph}). On the CPU every session allocates from one arena for the process
 * ({@code SharedCpuArena}). Registered through {@code ServiceLoader} as backend {@code onnx}.
 */
package io.github.wananimate.onnx;
