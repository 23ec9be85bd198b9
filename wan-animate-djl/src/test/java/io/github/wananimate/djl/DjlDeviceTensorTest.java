package io.github.wananimate.djl;

import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.DeviceTensorContractTests;

/** Device-resident tensors on the djl backend. */
class DjlDeviceTensorTest extends DeviceTensorContractTests {

    @Override
    protected Backend openBackend() {
        return new DjlBackend(BackendOptions.cpu());
    }
}
