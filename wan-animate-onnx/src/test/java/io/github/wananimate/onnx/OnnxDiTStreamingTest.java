package io.github.wananimate.onnx;

import io.github.wananimate.nn.DiTStreamingTest;

/** Block streaming on the onnx backend, CPU: one session per streamed block, built per forward. */
class OnnxDiTStreamingTest extends DiTStreamingTest {

    @Override
    protected String backendName() {
        return "onnx";
    }
}
