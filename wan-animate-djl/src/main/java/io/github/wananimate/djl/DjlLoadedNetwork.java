package io.github.wananimate.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.wananimate.nn.Network;
import io.github.wananimate.nn.RequiredInputs;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.weights.ParameterSource;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A network bound to its (validated, prepared) weights. Each weight is uploaded once, as float32 on the
 * backend's device, the first time the network reads it; the copies live in this network's own
 * {@link NDManager} until {@link #close()}. Every {@link #run} works in a child manager that is closed
 * before it returns, so nothing but the weights outlives a call.
 */
final class DjlLoadedNetwork implements LoadedNetwork {

    private final Network network;
    private final ParameterSource weights;
    private final NDManager manager;
    private final long attentionChunkBytes;
    private final Map<String, NDArray> uploaded = new ConcurrentHashMap<>();
    private volatile boolean closed;

    DjlLoadedNetwork(Network network, ParameterSource weights, NDManager manager, long attentionChunkBytes) {
        this.network = network;
        this.weights = weights;
        this.manager = manager;
        this.attentionChunkBytes = attentionChunkBytes;
    }

    @Override
    public String name() {
        return network.name();
    }

    @Override
    public Map<String, HostTensor> run(Map<String, HostTensor> inputs) {
        Objects.requireNonNull(inputs, "inputs");
        ensureOpen();
        try (NDManager call = manager.newSubManager()) {
            DjlOps ops = new DjlOps(call, this::parameter, attentionChunkBytes);
            Map<String, Tensor> deviceInputs = new LinkedHashMap<>();
            inputs.forEach((name, host) -> deviceInputs.put(name, ops.input(name, host)));
            Map<String, Tensor> outputs = network.forward(ops, RequiredInputs.of(network.name(), deviceInputs));
            Map<String, HostTensor> result = new LinkedHashMap<>();
            outputs.forEach((name, tensor) -> result.put(name, DjlOps.toHost(tensor)));
            return result;
        }
    }

    /** The weight {@code key} as a float32 array on the device, uploaded on first use. */
    NDArray parameter(String key) {
        ensureOpen();
        return uploaded.computeIfAbsent(key, this::upload);
    }

    private NDArray upload(String key) {
        HostTensor host = weights.get(key);
        NDArray array = manager.create(host.asFloatBuffer(), new Shape(host.shape()), DataType.FLOAT32);
        array.setName(key);
        return array;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("network '" + network.name() + "' was closed");
        }
    }

    @Override
    public void close() {
        closed = true;
        uploaded.clear();
        manager.close();
    }
}
