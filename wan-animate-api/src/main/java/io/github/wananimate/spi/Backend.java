package io.github.wananimate.spi;

import io.github.wananimate.nn.Network;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.ParameterSource;
import java.util.Set;

/**
 * An executor of {@link io.github.wananimate.nn.Ops}. Implementations register a {@link BackendProvider}
 * through {@link java.util.ServiceLoader}; a backend knows nothing about Wan.
 */
public interface Backend extends AutoCloseable {

    /** {@return the provider's name, e.g. {@code "djl"} or {@code "onnx"}} */
    String name();

    /** {@return device in words, e.g. {@code "cpu"} or {@code "cuda:0"}} */
    String device();

    /**
     * Validates {@code weights} against {@code network.parameters()} (every problem in one
     * {@link io.github.wananimate.weights.WeightException}), prepares them and binds them once.
     *
     * @param network the network (its parameters name the keys)
     * @param weights the checkpoint under the network's key names
     * @return the bound network; close it to free its memory
     */
    LoadedNetwork load(Network network, ParameterSource weights);

    /**
     * {@link #load(Network, ParameterSource)} with the {@link io.github.wananimate.nn.ParameterGroup}s named in
     * {@code streamedGroups} kept off the device: each is uploaded from {@code weights} (the mapped checkpoint) for
     * the chain step that reads it, at most once per forward, and freed right after. Empty: everything resident.
     *
     * @param network the network
     * @param weights the checkpoint, read again for every streamed group
     * @param streamedGroups names of the groups to stream; empty: every parameter resident
     * @throws UnsupportedOperationException when groups are to be streamed and {@link #streamsParameterGroups()}
     *     is false
     * @throws IllegalArgumentException naming a group the network does not declare
     * @return the bound network
     */
    default LoadedNetwork load(Network network, ParameterSource weights, Set<String> streamedGroups) {
        if (streamedGroups.isEmpty()) {
            return load(network, weights);
        }
        throw new UnsupportedOperationException("the " + name() + " backend on " + device()
                + " cannot stream parameter groups");
    }

    /** {@return whether {@link #load(Network, ParameterSource, Set)} can stream parameter groups on this device} */
    default boolean streamsParameterGroups() {
        return false;
    }

    /**
     * Whether this backend holds a float8 weight ({@link io.github.wananimate.weights.ParameterSource#float8}) as its
     * one-byte codes on the device, resident or streamed, and looks it up when used; the memory model then counts one
     * byte per element for it. False: it binds the dequantised values.
     *
     * @return whether float8 weights stay float8 on this device
     */
    default boolean keepsFloat8Codes() {
        return false;
    }

    /**
     * Bytes per element with which this backend holds a weight that the network stores in {@code stored} (resident
     * or streamed; float8 codes aside, see {@link #keepsFloat8Codes}). The default binds every weight as float32.
     *
     * @param stored the dtype of the weight's {@link io.github.wananimate.nn.ParameterSpec}
     * @return bytes per element on the device
     */
    default int heldBytesPerElement(DType stored) {
        return DType.F32.byteSize();
    }

    /**
     * Copies {@code host} (as float32) into memory of this backend, for a resident
     * {@link LoadedNetwork#run(java.util.Map, java.util.Map, java.util.function.Predicate) run} of its networks. The
     * default holds the host tensor itself ({@link DeviceTensor#onHost}).
     *
     * @param host the tensor
     * @return a handle owned by the caller
     */
    default DeviceTensor upload(HostTensor host) {
        return DeviceTensor.onHost(host.toF32());
    }

    @Override
    void close();
}
