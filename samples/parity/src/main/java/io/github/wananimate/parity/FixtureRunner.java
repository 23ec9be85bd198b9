package io.github.wananimate.parity;

import io.github.wananimate.nn.Precision;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.tensor.HostTensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs any fixture folder of a registered component on a backend and compares with its golden outputs. */
public final class FixtureRunner {

    private static final Logger LOG = LoggerFactory.getLogger(FixtureRunner.class);

    private FixtureRunner() {
    }

    /** Loads {@code dir}, runs its component on {@code backend} and compares every output that has a golden value. */
    public static ParityReport run(Path dir, Backend backend) {
        try (Fixture fixture = Fixture.load(dir)) {
            return run(fixture, backend);
        }
    }

    public static ParityReport run(Fixture fixture, Backend backend) {
        return run(fixture, backend, Precision.FP32, fixture.tolerance());
    }

    /**
     * Runs {@code dir}'s component at {@code precision} and compares with its (float32) golden outputs at
     * {@code tolerance} instead of the fixture's own: the error a reduced precision adds.
     */
    public static ParityReport run(Path dir, Backend backend, Precision precision, double tolerance) {
        try (Fixture fixture = Fixture.load(dir)) {
            return run(fixture, backend, precision, tolerance);
        }
    }

    private static ParityReport run(Fixture fixture, Backend backend, Precision precision, double tolerance) {
        FixtureComponent component = FixtureComponents.byName(fixture.component());
        long start = System.nanoTime();
        Map<String, HostTensor> produced = component.run(fixture, backend, precision);
        long runMillis = (System.nanoTime() - start) / 1_000_000;

        List<ParityReport.Comparison> comparisons = new ArrayList<>();
        List<String> withoutGolden = new ArrayList<>();
        for (Map.Entry<String, HostTensor> output : produced.entrySet()) {
            if (fixture.hasExpected(output.getKey())) {
                comparisons.add(ParityReport.compare(output.getKey(), output.getValue(),
                        fixture.expected(output.getKey()), tolerance));
            } else {
                withoutGolden.add(output.getKey());
            }
        }
        List<String> notProduced = new ArrayList<>();
        for (String name : fixture.expectedNames()) {
            if (!produced.containsKey(name)) {
                notProduced.add(name);
            }
        }
        String backendName = backend == null ? "no backend" : backend.name() + "/" + backend.device();
        ParityReport report = new ParityReport(fixture.name(), fixture.component(), backendName, tolerance,
                comparisons, notProduced, withoutGolden, runMillis);
        LOG.debug("parity of {}:\n{}", fixture.name(), report.table());
        return report;
    }
}
