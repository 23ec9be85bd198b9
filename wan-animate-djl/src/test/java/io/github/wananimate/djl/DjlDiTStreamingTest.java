package io.github.wananimate.djl;

import io.github.wananimate.nn.DiTStreamingTest;

/** Block streaming on the djl backend, CPU. */
class DjlDiTStreamingTest extends DiTStreamingTest {

    @Override
    protected String backendName() {
        return "djl";
    }
}
