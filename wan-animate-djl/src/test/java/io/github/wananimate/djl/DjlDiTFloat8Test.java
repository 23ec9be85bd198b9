package io.github.wananimate.djl;

import io.github.wananimate.nn.DiTFloat8Test;

/** A float8 DiT checkpoint on the djl backend, CPU, resident and streamed. */
class DjlDiTFloat8Test extends DiTFloat8Test {

    @Override
    protected String backendName() {
        return "djl";
    }
}
