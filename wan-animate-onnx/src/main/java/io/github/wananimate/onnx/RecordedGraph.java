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
 * @param fedParameters graph input name → the parameter tensor it is fed with every run (not in {@code inputNames})
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
        Map<String, Fed> fedParameters, Map<String, HostTensor> boundConstants, Set<String> shareableInitializers, int nodeCount,
        boolean usesFusedAttention, boolean lowPrecisionKernels) {

    /**
     * A graph input fed with a parameter's data at every run rather than bound as an initializer when the session is
     * built, so that the session holds no weights of its own.
     *
     * @param key the checkpoint key
     * @param kind which of the key's tensors the input takes
     * @param dtype the dtype the network stores the parameter in (a float8 table is rounded to it)
     */
    record Fed(String key, Kind kind, DType dtype) {
    }

    /** What a fed input takes. */
    enum Kind {
        /** The tensor as the checkpoint stores it (F32, BF16 or F16), widened and rounded in the graph. */
        VALUES,
        /** A float8 weight's one-byte codes ({@link io.github.wananimate.weights.Float8Tensor#stored}). */
        FLOAT8_CODES,
        /** A float8 weight's 256 values, float32 rounded to {@link Fed#dtype}. */
        FLOAT8_TABLE
    }
}
