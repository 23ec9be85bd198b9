package io.github.wananimate.nn;

import io.github.wananimate.spi.Backend;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.ParameterSource;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@link Backend} over {@link HostOps}, for tests of host-side orchestration in this module. Like the executors,
 * it hands networks a {@link RequiredInputs} view.
 */
public final class HostBackend implements Backend {

    private int runs;

    /** Forward passes run so far by networks loaded here. */
    public int runs() {
        return runs;
    }

    @Override
    public String name() {
        return "host-test";
    }

    @Override
    public String device() {
        return "cpu";
    }

    @Override
    public LoadedNetwork load(Network network, ParameterSource weights) {
        ParameterSource prepared = ParameterBinding.validateAndPrepare(network, weights);
        return new LoadedNetwork() {
            @Override
            public String name() {
                return network.name();
            }

            @Override
            public Map<String, HostTensor> run(Map<String, HostTensor> inputs) {
                runs++;
                Map<String, Tensor> in = new LinkedHashMap<>();
                inputs.forEach((k, v) -> in.put(k, HostOps.of(v)));
                Map<String, HostTensor> out = new LinkedHashMap<>();
                network.forward(new HostOps(prepared), RequiredInputs.of(network.name(), in)).forEach((k, v) -> out.put(k, ((HostOps.T) v).toHost()));
                return out;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void close() {
    }
}
