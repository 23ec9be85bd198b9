package io.github.wananimate.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.spi.Backends;
import org.junit.jupiter.api.Test;

/** With both backends on the class path (as in the CLI), the best one depends on the device. */
class BackendChoiceTest {

    @Test
    void onTheCpuOnnxRuntimeIsPreferredOnCudaDjl() {
        assertThat(Backends.best("cpu").name()).as("ONNX Runtime measured faster on the CPU").isEqualTo("onnx");
        assertThat(Backends.providers("cuda:0").get(0).name()).isEqualTo("djl");
        assertThat(Backends.providers("cpu")).extracting(p -> p.name()).containsExactly("onnx", "djl");
    }
}
