package io.github.wananimate.onnx;

import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import java.util.Map;
import java.util.Set;

/**
 * A network's forward pass recorded for one set of input shapes and serialised as an ONNX model.
 *
 * @param model the serialised {@code ModelProto}; weights are not in it
 * @param inputNames network input name → graph input name
 * @param outputNames network output name → graph output name, in the order the network produced them
 * @param outputShapes network output name → static shape inferred while recording
 * @param parameters graph initializer name → checkpoint key, for the tensors bound from memory
 * @param parameterDTypes graph initializer name → the parameter's stored dtype: its values are rounded to it, and
 *     with {@code lowPrecisionKernels} it is also the element type it is bound in (else float32)
 * @param fedParameters graph input name → checkpoint key, for float8 parameters fed as their codes with every run
 *     (they are not in {@code inputNames})
 * @param boundConstants graph initializer name → float32 tensor, for constants too large to inline
 * @param shareableInitializers names among the bound initializers whose data no ONNX Runtime optimiser reads
 *     while building the session, so that a CPU session may use them straight from memory: the weight operands
 *     of MatMul / Gemm nodes fed by the graph inputs (see {@link OnnxGraphRecorder}); every other bound
 *     initializer is copied into the session, where the optimisers can read it
 * @param nodeCount number of nodes in the graph
 * @param usesFusedAttention whether any {@code com.microsoft.MultiHeadAttention} node was emitted
 * @param lowPrecisionKernels reduced-precision parameters are bound in their stored dtype (CUDA variant)
 */
public record RecordedGraph(byte[] model, Map<String, String> inputNames, Map<String, String> outputNames,
        Map<String, long[]> outputShapes, Map<String, String> parameters, Map<String, DType> parameterDTypes,
        Map<String, String> fedParameters, Map<String, HostTensor> boundConstants, Set<String> shareableInitializers, int nodeCount,
        boolean usesFusedAttention, boolean lowPrecisionKernels) {
}
