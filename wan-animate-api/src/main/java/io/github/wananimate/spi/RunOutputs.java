package io.github.wananimate.spi;

import io.github.wananimate.tensor.HostTensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outputs of one resident run: those copied to the host and those kept on the backend. Closing it closes every
 * kept tensor, so {@code try (RunOutputs out = network.run(...))} releases the state deterministically; a caller
 * that hands the state to the next call closes the previous outputs after that call.
 *
 * @param host outputs copied to the host, in the order the network produced them
 * @param device outputs kept on the backend, in the order the network produced them; owned by this object
 */
public record RunOutputs(Map<String, HostTensor> host, Map<String, DeviceTensor> device) implements AutoCloseable {

    /**
     * Copies both maps, keeping their order.
     *
     * @param host outputs copied to the host
     * @param device outputs kept on the backend
     */
    public RunOutputs {
        host = Collections.unmodifiableMap(new LinkedHashMap<>(host));
        device = Collections.unmodifiableMap(new LinkedHashMap<>(device));
    }

    /**
     * One host output.
     *
     * @param name the output's name
     * @return the output
     * @throws IllegalArgumentException naming what there is when it is absent
     */
    public HostTensor hostOutput(String name) {
        HostTensor t = host.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no host output '" + name + "'; host outputs: " + host.keySet()
                    + ", device outputs: " + device.keySet());
        }
        return t;
    }

    @Override
    public void close() {
        DeviceTensor.closeAll(device.values());
    }
}
