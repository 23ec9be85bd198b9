package io.github.wananimate.parity;

import io.github.wananimate.procedural.ProceduralWeights;
import io.github.wananimate.spi.Backend;
import io.github.wananimate.tensor.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Fixture component {@code procedural_check}: regenerates each listed weight with {@link ProceduralWeights}; the
 * golden outputs are the same tensors from the reference generator (tolerance 0, bit exact). Runs no network, so
 * the backend is unused.
 */
public final class ProceduralCheckFixture implements FixtureComponent {

    @Override
    public String component() {
        return "procedural_check";
    }

    @Override
    public Map<String, HostTensor> run(Fixture fixture, Backend backend) {
        ProceduralWeights weights = fixture.weights();
        Map<String, HostTensor> outputs = new LinkedHashMap<>();
        for (String key : weights.keys()) {
            outputs.put(key, weights.get(key));
        }
        return outputs;
    }
}
