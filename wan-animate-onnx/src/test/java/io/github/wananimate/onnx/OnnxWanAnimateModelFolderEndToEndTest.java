package io.github.wananimate.onnx;

import io.github.wananimate.api.WanAnimateModelFolderEndToEndTests;

/** WanAnimate from an official-layout model folder on the onnx backend. */
class OnnxWanAnimateModelFolderEndToEndTest extends WanAnimateModelFolderEndToEndTests {

    @Override
    protected String backendName() {
        return "onnx";
    }
}
