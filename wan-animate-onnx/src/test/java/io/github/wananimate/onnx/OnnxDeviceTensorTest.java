package io.github.wananimate.onnx;

import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.DeviceTensorContractTests;

/** Device-resident tensors on the onnx backend. */
class OnnxDeviceTensorTest extends DeviceTensorContractTests {

    @Override
    protected Backend openBackend() {
        return new OnnxBackend(BackendOptions.cpu());
    }
}
