package io.github.wananimate.parity;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Parity with golden/schedulers through the fixture runner: timesteps (exact), sigmas and the latent after every
 * step for dpm++ / unipc × 4 / 20 steps at shift 5 (tolerance 1e-5 of the peak).
 */
class SchedulerParityTest {

    @Test
    void matchesTheOriginalSchedulers() {
        ParityReport report = FixtureRunner.run(GoldenFixtures.fixture("schedulers"), null);
        System.out.println(report.table());
        assertThat(report.notProduced()).isEmpty();
        assertThat(report.comparisons()).hasSize(2 * (4 + 2) + 2 * (20 + 2));
        assertThat(report.passed()).withFailMessage("%s", report.table()).isTrue();
        for (ParityReport.Comparison c : report.comparisons()) {
            if (c.name().endsWith(".timesteps") || c.name().endsWith(".sigmas")) {
                assertThat(c.maxAbsError()).as(c.name()).isZero();
            }
        }
    }
}
