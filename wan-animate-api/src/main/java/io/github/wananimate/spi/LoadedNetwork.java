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

    /**
     * Bytes moved between host and device by the {@link #run} calls so far: inputs uploaded, outputs downloaded and
     * streamed parameter groups uploaded (resident weights, uploaded once, are not counted). On a CPU device it
     * counts the same copies into and out of the runtime's memory. −1 when the backend does not count.
     */
    default long hostDeviceBytes() {
        return -1;
    }

    @Override
    void close();
}
