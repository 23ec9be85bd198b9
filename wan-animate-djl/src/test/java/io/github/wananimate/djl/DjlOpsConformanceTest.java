package io.github.wananimate.djl;

import io.github.wananimate.nn.OpsConformanceTest;

/** Runs the backend conformance suite on the DJL (PyTorch) backend, CPU. */
class DjlOpsConformanceTest extends OpsConformanceTest {

    @Override
    protected String backendName() {
        return "djl";
    }
}
