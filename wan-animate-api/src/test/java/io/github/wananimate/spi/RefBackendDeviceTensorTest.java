package io.github.wananimate.spi;

import io.github.wananimate.nn.RefBackend;

/** The SPI's default resident run (host-held handles) on the reference backend. */
class RefBackendDeviceTensorTest extends DeviceTensorContractTests {

    @Override
    protected Backend openBackend() {
        return new RefBackend();
    }
}
