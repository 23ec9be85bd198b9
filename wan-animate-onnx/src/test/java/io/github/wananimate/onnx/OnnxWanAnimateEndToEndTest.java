package io.github.wananimate.onnx;

import io.github.wananimate.api.WanAnimateEndToEndTests;

/** The public-API end-to-end generations on the onnx backend. */
class OnnxWanAnimateEndToEndTest extends WanAnimateEndToEndTests {

    @Override
    protected String backendName() {
        return "onnx";
    }
}
