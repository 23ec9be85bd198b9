package io.github.wananimate.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.parity.Fixture;
import io.github.wananimate.parity.FixtureComponents;
import io.github.wananimate.parity.FixtureRunner;
import io.github.wananimate.parity.GoldenFixtures;
import io.github.wananimate.parity.ParityReport;
import io.github.wananimate.spi.BackendOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every golden fixture of the api test-jar whose component is registered, run on the onnx backend: each output
 * within the fixture's tolerance of the original PyTorch implementation (golden/README.md), and every session built
 * at the first attempt, without the fallback that copies every weight (an optimiser reading a weight shared from
 * memory, as ConvAddFusion did with the motion encoder's biases).
 */
class GoldenParityTest {

    @TestFactory
    Stream<DynamicTest> goldenFixtures() {
        Map<String, Path> dirs = GoldenFixtures.fixtureDirectories();
        assertThat(dirs).as("golden fixtures on the test classpath").isNotEmpty();
        List<DynamicTest> tests = new ArrayList<>();
        for (Map.Entry<String, Path> entry : dirs.entrySet()) {
            String component;
            try (Fixture fixture = Fixture.load(entry.getValue())) {
                component = fixture.component();
            }
            if (!FixtureComponents.isKnown(component)) {
                continue;
            }
            tests.add(DynamicTest.dynamicTest(entry.getKey() + " on onnx", () -> {
                String device = System.getProperty(GoldenFixtures.DEVICE_PROPERTY, "cpu");
                try (OnnxBackend backend = new OnnxBackend(new BackendOptions(device, 0))) {
                    ParityReport report = FixtureRunner.run(entry.getValue(), backend);
                    System.out.print(report.table());
                    assertThat(report.passed()).withFailMessage("%s", report.table()).isTrue();
                    assertThat(backend.copyAllRebuilds()).as("%s: sessions rebuilt with every weight copied",
                            entry.getKey()).isZero();
                }
            }));
        }
        return tests.stream();
    }
}
