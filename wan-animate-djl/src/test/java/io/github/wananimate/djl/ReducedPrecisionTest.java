package io.github.wananimate.djl;

import io.github.wananimate.parity.ReducedPrecisionTests;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** bf16 / fp16 runs of the DiT and pipeline golden fixtures on the djl backend (real bf16 / fp16 NDArrays). */
class ReducedPrecisionTest {

    @TestFactory
    Stream<DynamicTest> reducedPrecision() {
        return ReducedPrecisionTests.tests("djl");
    }
}
