package io.github.wananimate.spi;

import io.github.wananimate.tensor.HostTensor;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** A network bound to its weights on a backend. Holds native memory until closed. */
public interface LoadedNetwork extends AutoCloseable {

    /** {@return the network's name} */
    String name();

    /**
     * Runs one forward pass. Inputs are host tensors (converted to float32); outputs come back to the host in
     * the order the network produced them. Native memory used by the call is released before returning.
     *
     * @param inputs every input the network requires, by name
     * @return the outputs by name
     */
    Map<String, HostTensor> run(Map<String, HostTensor> inputs);

    /**
     * Bytes moved between host and device by the {@link #run} calls so far: inputs uploaded, outputs downloaded and
     * streamed parameter groups uploaded (resident weights, uploaded once, are not counted). On a CPU device it
     * counts the same copies into and out of the runtime's memory. −1 when the backend does not count.
     *
     * @return the bytes so far
     */
    default long hostDeviceBytes() {
        return -1;
    }

    /**
     * Runs one forward pass with part of its state on the backend: {@code deviceInputs} are read where they are
     * (they stay open and owned by the caller), and every output whose name {@code keepOnDevice} accepts stays on
     * the backend as a {@link DeviceTensor} instead of being copied to the host. Everything else the call allocates
     * is released before it returns. An input name may appear in only one of the two maps.
     *
     * <p>The default runs through {@link #run(Map)}: device inputs are read through {@link DeviceTensor#toHost()} and
     * kept outputs are wrapped by {@link DeviceTensor#onHost}. Backends with memory of their own override it.
     *
     * @param inputs inputs on the host
     * @param deviceInputs inputs already on this backend, read in place
     * @param keepOnDevice the outputs to keep on the backend
     * @return the outputs; close them to free the kept ones
     */
    default RunOutputs run(Map<String, HostTensor> inputs, Map<String, DeviceTensor> deviceInputs,
            Predicate<String> keepOnDevice) {
        checkInputs(name(), inputs, deviceInputs);
        Map<String, HostTensor> all = new LinkedHashMap<>(inputs);
        deviceInputs.forEach((n, t) -> all.put(n, t.toHost()));
        Map<String, HostTensor> host = new LinkedHashMap<>();
        Map<String, DeviceTensor> device = new LinkedHashMap<>();
        run(all).forEach((n, t) -> {
            if (keepOnDevice.test(n)) {
                device.put(n, DeviceTensor.onHost(t));
            } else {
                host.put(n, t);
            }
        });
        return new RunOutputs(host, device);
    }

    /**
     * {@link #run(Map, Map, Predicate)} for device inputs the caller hands over rather than lends: state of the
     * previous call that no one reads after this one (a VAE chunk's causal cache). The backend may free each as soon
     * as the network has read it for the last time ({@link io.github.wananimate.nn.Ops#release}), so that the old
     * state and the new one are not both held to the end of the call; every handle in {@code consumed} is closed when
     * the call returns, also when it fails.
     *
     * <p>The default runs {@link #run(Map, Map, Predicate)} and closes the handles after it.
     *
     * @param inputs inputs on the host
     * @param consumed inputs on this backend, handed over to the call
     * @param keepOnDevice the outputs to keep on the backend
     * @return the outputs; close them to free the kept ones
     */
    default RunOutputs runConsuming(Map<String, HostTensor> inputs, Map<String, DeviceTensor> consumed,
            Predicate<String> keepOnDevice) {
        return consuming(consumed, () -> run(inputs, consumed, keepOnDevice));
    }

    /**
     * Runs {@code call}, then closes every handle in {@code consumed}, also when the call fails: the contract of
     * {@link #runConsuming} around a backend's own run.
     *
     * @param consumed the handed-over inputs
     * @param call the run that reads them
     * @return what the call returned
     */
    static RunOutputs consuming(Map<String, DeviceTensor> consumed, Supplier<RunOutputs> call) {
        try {
            return call.get();
        } finally {
            DeviceTensor.closeAll(consumed.values());
        }
    }

    @Override
    void close();

    /**
     * Checks the two input maps of a resident run: no nulls, no closed handle, no name in both. Failures name the
     * network and the input.
     *
     * @param network the network's name, for messages
     * @param inputs the host inputs
     * @param deviceInputs the device inputs
     */
    static void checkInputs(String network, Map<String, HostTensor> inputs,
            Map<String, DeviceTensor> deviceInputs) {
        Objects.requireNonNull(inputs, "inputs");
        Objects.requireNonNull(deviceInputs, "deviceInputs");
        inputs.forEach((n, t) -> {
            if (t == null) {
                throw new IllegalArgumentException(network + ": input '" + n + "' is null");
            }
        });
        deviceInputs.forEach((n, t) -> {
            if (t == null) {
                throw new IllegalArgumentException(network + ": device input '" + n + "' is null");
            }
            if (!t.isOpen()) {
                throw new IllegalStateException(network + ": device input '" + n + "' was closed before the run");
            }
            if (inputs.containsKey(n)) {
                throw new IllegalArgumentException(network + ": input '" + n + "' given both on the host and on the "
                        + "device");
            }
        });
    }
}
