package io.github.wananimate.parity;

import io.github.wananimate.nn.Precision;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.tensor.HostTensor;
import java.util.Map;

/**
 * Runs the Java implementation of one fixture component ({@code "component"} in {@code fixture.json}) and returns
 * its outputs under the golden output names. Registered through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/io.github.wananimate.parity.FixtureComponent}), so a new component is one class plus
 * one line, and a new fixture folder of a known component needs no code at all.
 */
public interface FixtureComponent {

    /** The {@code component} value this implementation handles, e.g. {@code "motion_encoder"}. */
    String component();

    /**
     * Regenerates the fixture's weights and inputs, runs the networks on {@code backend} and returns every output
     * it can produce (intermediates included), keyed by the golden names. Components that run no network (the
     * procedural generator check) ignore the backend, which may then be null.
     */
    Map<String, HostTensor> run(Fixture fixture, Backend backend);

    /**
     * {@link #run(Fixture, Backend)} at a reduced {@link Precision}, for the components that have one (their outputs
     * are then compared with the float32 golden values to measure the precision's error).
     *
     * @throws UnsupportedOperationException for a component that runs only in float32
     */
    default Map<String, HostTensor> run(Fixture fixture, Backend backend, Precision precision) {
        if (precision == Precision.FP32) {
            return run(fixture, backend);
        }
        throw new UnsupportedOperationException("fixture component '" + component() + "' runs only in fp32");
    }
}
