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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A network bound to its (validated, prepared) weights. Each weight is uploaded once, as float32 on the
 * backend's device, the first time the network reads it; the copies live in this network's own
 * {@link NDManager} until {@link #close()}. Every {@link #run} works in a child manager that is closed
 * before it returns, so nothing but the weights outlives a call.
 *
 * <p>Streamed parameter groups are never uploaded into the network's manager: {@link StreamedGroups} uploads each
 * for its chain step within the call and frees it after the step.
 */
final class DjlLoadedNetwork implements LoadedNetwork {

    private final Network network;
    private final ParameterSource weights;
    private final NDManager manager;
    private final long attentionChunkBytes;
    private final Map<String, NDArray> uploaded = new ConcurrentHashMap<>();
    /** Streamed key → its group; empty when everything is resident. */
    private final Map<String, String> streamedKeys;
    private final Map<String, List<String>> groupKeys = new HashMap<>();
    private final ExecutorService prefetcher;
    private final AtomicLong transferred = new AtomicLong();
    private volatile boolean closed;

    DjlLoadedNetwork(Network network, ParameterSource weights, NDManager manager, long attentionChunkBytes,
            Map<String, String> streamedKeys) {
        this.network = network;
        this.weights = weights;
        this.manager = manager;
        this.attentionChunkBytes = attentionChunkBytes;
        this.streamedKeys = Map.copyOf(streamedKeys);
        streamedKeys.forEach((key, group) -> groupKeys.computeIfAbsent(group, g -> new ArrayList<>()).add(key));
        this.prefetcher = streamedKeys.isEmpty() ? null : Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "djl-stage-" + network.name());
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String name() {
        return network.name();
    }

    @Override
    public Map<String, HostTensor> run(Map<String, HostTensor> inputs) {
        Objects.requireNonNull(inputs, "inputs");
        ensureOpen();
        try (NDManager call = manager.newSubManager();
                StreamedGroups streamed = prefetcher == null ? null : new StreamedGroups(this::parameter,
                        streamedKeys, groupKeys, weights, call, prefetcher, transferred)) {
            DjlOps ops = new DjlOps(call, streamed == null ? this::parameter : streamed, attentionChunkBytes);
            Map<String, Tensor> deviceInputs = new LinkedHashMap<>();
            inputs.forEach((name, host) -> {
                deviceInputs.put(name, ops.input(name, host));
                transferred.addAndGet(host.elementCount() * Float.BYTES);
            });
            Map<String, Tensor> outputs = network.forward(ops, RequiredInputs.of(network.name(), deviceInputs));
            Map<String, HostTensor> result = new LinkedHashMap<>();
            outputs.forEach((name, tensor) -> {
                HostTensor host = DjlOps.toHost(tensor);
                transferred.addAndGet(host.byteSize());
                result.put(name, host);
            });
            return result;
        }
    }

    @Override
    public long hostDeviceBytes() {
        return transferred.get();
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
        if (prefetcher != null) {
            prefetcher.shutdownNow();
        }
        uploaded.clear();
        manager.close();
    }
}
