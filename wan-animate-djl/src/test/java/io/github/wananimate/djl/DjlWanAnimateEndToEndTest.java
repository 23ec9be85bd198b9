package io.github.wananimate.djl;

import io.github.wananimate.api.WanAnimateEndToEndTests;

/** The public-API end-to-end generations on the djl backend. */
class DjlWanAnimateEndToEndTest extends WanAnimateEndToEndTests {

    @Override
    protected String backendName() {
        return "djl";
    }
}
