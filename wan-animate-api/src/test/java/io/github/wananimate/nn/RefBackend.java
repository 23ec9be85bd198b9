package io.github.wananimate.nn;

import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.ParameterSource;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@link Backend} over {@link RefOps} (double precision, no native code): lets this module test networks and the
 * host-side orchestration around them end to end on tiny shapes. Like the real executors it validates the weights
 * once at load and hands networks a {@link RequiredInputs} view; results come back as float32 host tensors.
 */
public final class RefBackend implements Backend {

    private int runs;

    /** Forward passes run so far by networks loaded here. */
    public int runs() {
        return runs;
    }

    @Override
    public String name() {
        return "ref";
    }

    @Override
    public String device() {
        return "java";
    }

    @Override
    public LoadedNetwork load(Network network, ParameterSource weights) {
        ParameterSource prepared = ParameterBinding.validateAndPrepare(network, weights);
        Map<String, RefTensor> bound = new HashMap<>();
        RefOps ops = new RefOps(key -> bound.computeIfAbsent(key, k -> RefTensor.of(prepared.get(k))));
        return new LoadedNetwork() {
            @Override
            public String name() {
                return network.name();
            }

            @Override
            public Map<String, HostTensor> run(Map<String, HostTensor> inputs) {
                runs++;
                return ops.run(network, inputs);
            }

            @Override
            public void close() {
                bound.clear();
            }
        };
    }

    @Override
    public void close() {
    }
}
