package io.github.wananimate.parity;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.tensor.HostTensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParityReportTest {

    private static HostTensor t(float... v) {
        return HostTensor.ofFloats(new long[] {v.length}, v);
    }

    @Test
    void ratioIsMaxErrorOverPeak() {
        ParityReport.Comparison c = ParityReport.compare("x", t(1f, -2f, 4.001f), t(1f, -2f, 4f), 1e-3);
        assertThat(c.maxAbsGolden()).isEqualTo(4.0);
        assertThat(c.maxAbsError()).isCloseTo(0.001, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(c.ratio()).isCloseTo(0.00025, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(c.pass()).isTrue();
        assertThat(ParityReport.compare("x", t(1f, -2f, 4.01f), t(1f, -2f, 4f), 1e-3).pass()).isFalse();
    }

    @Test
    void zeroToleranceMeansBitExact() {
        assertThat(ParityReport.compare("x", t(0.5f), t(0.5f), 0).pass()).isTrue();
        assertThat(ParityReport.compare("x", t(Math.nextUp(0.5f)), t(0.5f), 0).pass()).isFalse();
        assertThat(ParityReport.compare("z", t(0f), t(0f), 0).pass()).isTrue();
        assertThat(ParityReport.compare("z", t(1e-30f), t(0f), 1).ratio()).isInfinite();
    }

    @Test
    void nanAndShapeMismatchFail() {
        ParityReport.Comparison nan = ParityReport.compare("n", t(1f, Float.NaN), t(1f, 1f), 1);
        assertThat(nan.pass()).isFalse();
        ParityReport.Comparison shape = ParityReport.compare("s", t(1f, 2f), t(1f, 2f, 3f), 1);
        assertThat(shape.pass()).isFalse();
        assertThat(shape.problem()).contains("[2]").contains("[3]");
    }

    @Test
    void tableNamesEveryOutputAndTheVerdict() {
        ParityReport report = new ParityReport("fx", "comp", "djl/cpu", 1e-4,
                List.of(ParityReport.compare("motion", t(1f), t(1f), 1e-4),
                        ParityReport.compare("bad", t(2f), t(1f), 1e-4)),
                List.of("missing_one"), List.of("extra_one"), 12);
        String table = report.table();
        assertThat(report.passed()).isFalse();
        assertThat(table).contains("motion").contains("bad").contains("FAIL").contains("missing_one")
                .contains("extra_one").contains("djl/cpu");
        ParityReport empty = new ParityReport("fx", "comp", "b", 1e-4, List.of(), List.of("motion"), List.of(), 0);
        assertThat(empty.passed()).isFalse();
        assertThat(empty.table()).contains("nothing compared");
    }
}
