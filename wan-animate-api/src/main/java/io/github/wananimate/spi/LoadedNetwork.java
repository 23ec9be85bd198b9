package io.github.wananimate.spi;

import io.github.wananimate.tensor.HostTensor;
import java.util.Map;

/** A network bound to its weights on a backend. Holds native memory until closed. */
public interface LoadedNetwork extends AutoCloseable {

    String name();

    /**
     * Runs one forward pass. Inputs are host tensors (converted to float32); outputs come back to the host in
     * the order the network produced them. Native memory used by the call is released before returning.
     */
    Map<String, HostTensor> run(Map<String, HostTensor> inputs);

    @Override
    void close();
}
