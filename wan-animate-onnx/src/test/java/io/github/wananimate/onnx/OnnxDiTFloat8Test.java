package io.github.wananimate.onnx;

import io.github.wananimate.nn.DiTFloat8Test;

/** A float8 DiT checkpoint on the onnx backend, CPU, resident and streamed. */
class OnnxDiTFloat8Test extends DiTFloat8Test {

    @Override
    protected String backendName() {
        return "onnx";
    }
}
