package io.github.wananimate.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.wananimate.nn.Network;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.RequiredInputs;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.spi.DeviceTensor;
import io.github.wananimate.spi.LoadedNetwork;
import io.github.wananimate.spi.RunOutputs;
import io.github.wananimate.tensor.DType;
import io.github.wananimate.tensor.DTypeConversions;
import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import io.github.wananimate.weights.ParameterSource;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
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
 * device, the first time the network reads it; a checkpoint already in that dtype is uploaded from its bytes, any
 * other is converted once on the host (bf16 weights are float32 arrays holding bf16 values, see {@link DjlOps}); the copies live in this network's own
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
    private final Map<String, NDArray> uploaded = new ConcurrentHashMap<>();
    /** Streamed key → its group; empty when everything is resident. */
    private final Map<String, String> streamedKeys;
    private final Map<String, List<String>> groupKeys = new HashMap<>();
    /** Streamed key → the dtype the network stores it in. */
    private final Map<String, DType> streamedDtypes = new HashMap<>();
    private final ExecutorService prefetcher;
    private final AtomicLong transferred = new AtomicLong();
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
                NDArray own = t instanceof DjlDeviceTensor d ? d.arrayFor(backend) : null;
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
        }
    }

    @Override
    public long hostDeviceBytes() {
        return transferred.get();
    }

    /** The weight {@code spec.key()} in its stored dtype on the device, uploaded on first use. */
    NDArray parameter(ParameterSpec spec) {
        ensureOpen();
        String cacheKey = spec.dtype() == DType.F32 ? spec.key() : spec.key() + "@" + spec.dtype();
        return uploaded.computeIfAbsent(cacheKey, k -> upload(spec.key(), spec.dtype()));
    }

    private NDArray upload(String key, DType stored) {
        HostTensor host = weights.get(key);
        Shape shape = new Shape(host.shape());
        NDArray array;
        if (stored == DType.F32) {
            array = manager.create(host.asFloatBuffer(), shape, DataType.FLOAT32);
        } else if (stored == DType.BF16) {
            // float32 holding the bf16 values: DJL 0.36's PyTorch JNI has no BFLOAT16 (see DjlOps)
            FloatBuffer values = host.dtype() == DType.BF16 ? host.asFloatBuffer()
                    : HostTensor.of(DType.BF16, host.shape(), DTypeConversions.fromFloatArray(DType.BF16,
                            host.toFloatArray())).asFloatBuffer();
            array = manager.create(values, shape, DataType.FLOAT32);
        } else {
            ByteBuffer bytes = host.dtype() == stored ? host.data()
                    : DTypeConversions.fromFloatArray(stored, host.toFloatArray());
            array = manager.create(bytes, shape, DjlOps.dataType(stored));
        }
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
