package io.github.wananimate.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.sun.jna.Memory;
import io.github.wananimate.nn.Network;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.RequiredInputs;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.spi.DeviceTensor;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.spi.RunOutputs;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import io.github.wananimate.weights.ParameterSource;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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
import java.util.function.Predicate;

/**
 * A network bound to its (validated, prepared) weights. Each weight is uploaded once, in its stored dtype
 * ({@link ParameterSpec#dtype()}: float32, or bf16 / fp16 NDArrays in a reduced-precision run) on the backend's
 * device, the first time the network reads it, converted on the host where the checkpoint holds another dtype
 * ({@link ArrayForm}: bf16 weights are float32 arrays holding bf16 values); the copies live in this network's own
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
    private final DjlBackend backend;
    private final Map<String, DeviceWeight> uploaded = new ConcurrentHashMap<>();
    /** Streamed key → its group; empty when everything is resident. */
    private final Map<String, String> streamedKeys;
    private final Map<String, List<String>> groupKeys = new HashMap<>();
    /** Streamed key → the dtype the network stores it in. */
    private final Map<String, DType> streamedDtypes = new HashMap<>();
    private final ExecutorService prefetcher;
    private final AtomicLong transferred = new AtomicLong();
    /** Host blocks the CPU arrays of resident weights wrap; freed after the manager on close. */
    private final List<Memory> hostBlocks = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile boolean closed;

    DjlLoadedNetwork(Network network, ParameterSource weights, NDManager manager, long attentionChunkBytes,
            DjlBackend backend, Map<String, String> streamedKeys) {
        this.network = network;
        this.weights = weights;
        this.manager = manager;
        this.attentionChunkBytes = attentionChunkBytes;
        this.backend = backend;
        this.streamedKeys = Map.copyOf(streamedKeys);
        streamedKeys.forEach((key, group) -> groupKeys.computeIfAbsent(group, g -> new ArrayList<>()).add(key));
        for (ParameterSpec spec : network.parameters()) {
            if (streamedKeys.containsKey(spec.key())) {
                streamedDtypes.put(spec.key(), spec.dtype());
            }
        }
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
        return run(inputs, Map.of(), name -> false).host();
    }

    /**
     * Device inputs of this backend are read in place; kept outputs move from the call's manager into managers of
     * their own ({@link DjlDeviceTensor#keep}), so nothing is copied to the host and back.
     */
    @Override
    public RunOutputs run(Map<String, HostTensor> inputs, Map<String, DeviceTensor> deviceInputs,
            Predicate<String> keepOnDevice) {
        return run(inputs, deviceInputs, keepOnDevice, false);
    }

    /** Consumed inputs of this backend move into the call's manager, where {@link DjlOps#release} can free them. */
    @Override
    public RunOutputs runConsuming(Map<String, HostTensor> inputs, Map<String, DeviceTensor> consumed,
            Predicate<String> keepOnDevice) {
        return LoadedNetwork.consuming(consumed, () -> run(inputs, consumed, keepOnDevice, true));
    }

    private RunOutputs run(Map<String, HostTensor> inputs, Map<String, DeviceTensor> deviceInputs,
            Predicate<String> keepOnDevice, boolean consume) {
        LoadedNetwork.checkInputs(name(), inputs, deviceInputs);
        Objects.requireNonNull(keepOnDevice, "keepOnDevice");
        ensureOpen();
        Map<String, HostTensor> host = new LinkedHashMap<>();
        Map<String, DeviceTensor> device = new LinkedHashMap<>();
        try (NDManager call = manager.newSubManager();
                StreamedGroups streamed = prefetcher == null ? null : new StreamedGroups(this::parameter,
                        streamedKeys, streamedDtypes, groupKeys, weights, call, prefetcher, transferred)) {
            DjlOps ops = new DjlOps(call, streamed == null ? this::parameter : streamed, attentionChunkBytes);
            Map<String, Tensor> callInputs = new LinkedHashMap<>();
            inputs.forEach((name, t) -> {
                callInputs.put(name, ops.input(name, t));
                transferred.addAndGet(t.elementCount() * Float.BYTES);
            });
            deviceInputs.forEach((name, t) -> {
                NDArray own = !(t instanceof DjlDeviceTensor d) ? null
                        : consume ? d.handOver(backend, call) : d.arrayFor(backend);
                if (own == null) {
                    transferred.addAndGet(Shapes.elementCount(t.shape()) * Float.BYTES);
                }
                callInputs.put(name, own != null ? new DjlTensor(own) : ops.input(name, t.toHost()));
            });
            Map<String, Tensor> outputs = network.forward(ops, RequiredInputs.of(network.name(), callInputs));
            for (Map.Entry<String, Tensor> e : outputs.entrySet()) {
                if (keepOnDevice.test(e.getKey())) {
                    device.put(e.getKey(), DjlDeviceTensor.keep(backend, DjlOps.array(e.getValue()), call));
                } else {
                    HostTensor h = DjlOps.toHost(e.getValue());
                    transferred.addAndGet(h.byteSize());
                    host.put(e.getKey(), h);
                }
            }
            return new RunOutputs(host, device);
        } catch (RuntimeException | Error e) {
            DeviceTensor.closeAll(device.values());
            throw e;
        } finally {
            backend.afterRun(consume);
        }
    }

    @Override
    public long hostDeviceBytes() {
        return transferred.get();
    }

    /** The weight {@code spec.key()} in its stored dtype on the device, uploaded on first use. */
    DeviceWeight parameter(ParameterSpec spec) {
        ensureOpen();
        String cacheKey = spec.dtype() == DType.F32 ? spec.key() : spec.key() + "@" + spec.dtype();
        return uploaded.computeIfAbsent(cacheKey, k -> upload(spec.key(), spec.dtype()));
    }

    /** The resident weights uploaded so far, by key (with {@code @dtype} for a reduced stored dtype). */
    Map<String, DeviceWeight> uploadedWeights() {
        return Map.copyOf(uploaded);
    }

    /**
     * The weight in its array form in a native block of its own (JNA {@link Memory}): on the CPU the array wraps the
     * block without a copy and the block is freed when this network closes; on a GPU the block is copied to the
     * device and freed at once. Never a Java direct buffer, whose memory the garbage collector frees late and which
     * {@code -XX:MaxDirectMemorySize} caps.
     */
    private DeviceWeight upload(String key, DType stored) {
        ArrayForm form = ArrayForm.of(weights, key, stored);
        long size = form.byteSize();
        Memory block = new Memory(Math.max(size, 1));
        try {
            ByteBuffer bytes = block.getByteBuffer(0, size).order(ByteOrder.LITTLE_ENDIAN);
            form.write(bytes);
            DeviceWeight weight = form.upload(manager, bytes, key);
            if (manager.getDevice().isGpu()) {
                block.close();
            } else {
                hostBlocks.add(block);
            }
            return weight;
        } catch (RuntimeException | Error e) {
            block.close();
            throw e;
        }
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
        synchronized (hostBlocks) {
            hostBlocks.forEach(Memory::close);
            hostBlocks.clear();
        }
    }
}
