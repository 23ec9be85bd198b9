package io.github.wananimate.onnx;

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
 * @param boundConstants graph initializer name → float32 tensor, for constants too large to inline
 * @param optimizerOperands names among the bound initializers whose data ONNX Runtime's optimisers read while
 *     building the session: inputs of nodes computed from initializers only (constant folding) and Conv
 *     weights and biases (the CPU layout optimiser)
 * @param nodeCount number of nodes in the graph
 * @param usesFusedAttention whether any {@code com.microsoft.MultiHeadAttention} node was emitted
 */
public record RecordedGraph(byte[] model, Map<String, String> inputNames, Map<String, String> outputNames,
        Map<String, long[]> outputShapes, Map<String, String> parameters, Map<String, HostTensor> boundConstants,
        Set<String> optimizerOperands, int nodeCount, boolean usesFusedAttention) {
}
