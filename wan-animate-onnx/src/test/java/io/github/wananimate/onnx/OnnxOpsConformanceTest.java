package io.github.wananimate.onnx;

import io.github.wananimate.nn.OpsConformanceTest;

/** The shared op conformance suite on ONNX Runtime (CPU), with fused MultiHeadAttention enabled. */
class OnnxOpsConformanceTest extends OpsConformanceTest {

    @Override
    protected String backendName() {
        return "onnx";
    }
}
