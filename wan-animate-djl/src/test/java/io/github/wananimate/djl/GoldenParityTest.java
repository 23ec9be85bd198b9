package io.github.wananimate.djl;

import io.github.wananimate.parity.GoldenFixtures;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every golden fixture of the api test-jar whose component is registered, run on the djl backend: each output
 * within the fixture's tolerance of the original PyTorch implementation (golden/README.md).
 */
class GoldenParityTest {

    @TestFactory
    Stream<DynamicTest> goldenFixtures() {
        return GoldenFixtures.parityTests("djl");
    }
}
