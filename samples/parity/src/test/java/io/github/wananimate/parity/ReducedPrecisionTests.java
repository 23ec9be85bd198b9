package io.github.wananimate.parity;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.nn.Precision;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.BackendOptions;
import io.github.wananimate.spi.Backends;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * The error a reduced {@link Precision} adds, measured: {@code golden/dit_tiny} and {@code golden/pipeline_tiny} run
 * in bf16 and fp16 and compared with their float32 golden outputs (max |err| / max |golden| per output, as the
 * parity tests). The tolerances are stated here once; the original's own bf16 GPU run differs from its float32 run
 * by about 1e-2 of the peak (NETWORKS.md §1.6).
 */
public final class ReducedPrecisionTests {

    /**
     * System property selecting cases, e.g. {@code dit_tiny/fp16,pipeline_tiny/bf16} (default: every fixture in
     * every reduced precision).
     */
    public static final String CASES_PROPERTY = "wananimate.test.reducedCases";

    /** Asserted bound of max |err| / peak per precision and fixture. */
    public static final Map<Precision, Map<String, Double>> TOLERANCE = Map.of(
            Precision.BF16, Map.of("dit_tiny", 3e-2, "pipeline_tiny", 3e-2),
            Precision.FP16, Map.of("dit_tiny", 5e-3, "pipeline_tiny", 5e-3));

    private ReducedPrecisionTests() {
    }

    /** One dynamic test per fixture and reduced precision, on backend {@code backendName} (CPU unless set). */
    public static Stream<DynamicTest> tests(String backendName) {
        List<DynamicTest> tests = new ArrayList<>();
        for (String fixture : List.of("dit_tiny", "pipeline_tiny")) {
            for (Precision precision : List.of(Precision.BF16, Precision.FP16)) {
                String only = System.getProperty(CASES_PROPERTY, "");
                if (!only.isBlank() && !List.of(only.split(",")).contains(fixture + "/" + precision.label())) {
                    continue;
                }
                double tolerance = TOLERANCE.get(precision).get(fixture);
                tests.add(DynamicTest.dynamicTest(fixture + " in " + precision.label() + " on " + backendName, () -> {
                    String device = System.getProperty(GoldenFixtures.DEVICE_PROPERTY, "cpu");
                    try (Backend backend = Backends.byName(backendName).open(new BackendOptions(device, 0))) {
                        ParityReport report = FixtureRunner.run(GoldenFixtures.fixture(fixture), backend, precision,
                                tolerance);
                        System.out.print(precision.label() + " " + report.table());
                        assertThat(report.passed()).withFailMessage("%s", report.table()).isTrue();
                        // a reduced run that came out identical to float32 did not reduce anything
                        assertThat(report.comparisons().stream().mapToDouble(ParityReport.Comparison::ratio).max()
                                .orElseThrow()).as("largest error of %s in %s", fixture, precision).isGreaterThan(1e-5);
                    }
                }));
            }
        }
        return tests.stream();
    }
}
