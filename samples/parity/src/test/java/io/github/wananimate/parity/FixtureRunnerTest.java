package io.github.wananimate.parity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FixtureRunnerTest {

    @Test
    void proceduralCheckIsBitExactWithoutBackend() {
        ParityReport report = FixtureRunner.run(GoldenFixtures.fixture("procedural_check"), null);
        assertThat(report.tolerance()).isZero();
        assertThat(report.comparisons()).hasSize(7);
        assertThat(report.notProduced()).isEmpty();
        assertThat(report.passed()).withFailMessage("%s", report.table()).isTrue();
    }

    @Test
    void componentsAreDiscoveredThroughServiceLoader() {
        assertThat(FixtureComponents.all()).containsKeys("motion_encoder", "procedural_check");
    }

    @Test
    void unknownComponentListsTheKnownOnes(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("fixture.json"), "{\"component\": \"warp_drive\", \"seed\": 0}");
        assertThatThrownBy(() -> FixtureRunner.run(dir, null)).isInstanceOf(FixtureException.class)
                .hasMessageContaining("warp_drive").hasMessageContaining("motion_encoder")
                .hasMessageContaining("procedural_check");
    }
}
